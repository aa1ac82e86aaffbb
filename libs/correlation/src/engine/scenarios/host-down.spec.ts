import { CASES, diagnosed, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

describe('fault class: a host down', () => {
  it.each(CASES)(
    'seed %i, %i instances: names the host, whose instances went silent',
    (seed, instances) => {
      const run = runScenario({ faultClass: 'host-down', seed, instances });
      expect(verdict(run)).toEqual(diagnosed(run));
      const [incident] = run.incidents.values();
      const host = run.scenario.topology.hosts.get(run.truths[0].rootKey.slice('host:'.length));
      expect(incident.affected.instances).toEqual(
        expect.arrayContaining(host?.instances ?? ['missing host']),
      );
      expect(incident.rootCauses[0].summary).toMatch(
        /^(\d+) of \1 instances on it stopped reporting/,
      );
    },
  );
});
