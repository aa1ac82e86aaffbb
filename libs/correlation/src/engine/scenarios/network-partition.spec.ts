import { CASES, diagnosed, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

describe('fault class: a network partition', () => {
  it.each(CASES)(
    'seed %i, %i instances: the zone that lost several backends (odd seed) or the backend reachable from its own zone only (even seed), once',
    (seed, instances) => {
      const run = runScenario({ faultClass: 'network-partition', seed, instances });
      expect(run.truths[0].variant).toBe(seed % 2 === 0 ? 'zone-only-backend' : 'zone-partition');
      expect(verdict(run)).toEqual(diagnosed(run));
      // The lost backends are up (their servers and the other zones say so): none was ever paged.
      const fault = run.scenario.faults[0].fault;
      const lost = fault.kind === 'partition' ? fault.backends : [];
      expect(run.changes.filter((c) => lost.includes(c.incident.rootCauses[0].key))).toEqual([]);
    },
  );
});
