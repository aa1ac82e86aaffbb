import { CASES, diagnosed, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

describe('fault class: one database of several down', () => {
  it.each(CASES)('seed %i, %i instances: that database only', (seed, instances) => {
    const run = runScenario({ faultClass: 'one-db-of-several', seed, instances });
    expect(verdict(run)).toEqual(diagnosed(run));
    const databases = [...run.scenario.topology.backends.values()]
      .filter((b) => b.kind === 'mysql' || b.kind === 'postgres')
      .map((b) => b.key);
    expect(databases.length).toBeGreaterThanOrEqual(2);
    const healthy = databases.filter((k) => k !== run.truths[0].rootKey);
    // No change ever put a healthy database first.
    expect(run.changes.filter((c) => healthy.includes(c.incident.rootCauses[0].key))).toEqual([]);
  });
});
