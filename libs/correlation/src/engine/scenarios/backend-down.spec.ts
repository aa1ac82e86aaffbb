import { CASES, diagnosed, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

describe('fault class: a backend down', () => {
  it.each(CASES)(
    'seed %i, %i instances: names the backend (not its dependents), once, and resolves',
    (seed, instances) => {
      const run = runScenario({ faultClass: 'backend-down', seed, instances });
      expect(verdict(run)).toEqual(diagnosed(run));
      const [truth] = run.truths;
      const [incident] = run.incidents.values();
      expect(incident.rootCauses[0].summary).toMatch(
        /^\d+ of \d+ dependents lost it within \d+ s; it reports itself down/,
      );
      expect(run.score.truths[0].delayMs).not.toBeNull();
      // Every instance the outage touched is in the one incident: the cascade was not paged separately.
      expect(truth.affected.filter((i) => !incident.affected.instances.includes(i))).toEqual([]);
    },
  );
});
