import { CASES, diagnosed, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

describe('fault class: a host down in a small zone', () => {
  it.each(CASES)(
    'seed %i, %i instances: the host (the most specific explanation), not its zone',
    (seed, instances) => {
      const run = runScenario({ faultClass: 'host-in-zone', seed, instances });
      expect(verdict(run)).toEqual(diagnosed(run));
      const host = run.truths[0].rootKey.slice('host:'.length);
      const zone = run.scenario.topology.hosts.get(host)?.zone;
      // The zone never led, though half or more of its instances fell silent.
      expect(
        run.changes
          .filter((c) => c.incident.rootCauses[0].key === `zone:${zone}`)
          .map((c) => c.type),
      ).toEqual([]);
      const [incident] = run.incidents.values();
      expect(incident.affected.instances).toEqual(
        expect.arrayContaining(run.scenario.topology.hosts.get(host)?.instances ?? ['missing']),
      );
    },
  );
});
