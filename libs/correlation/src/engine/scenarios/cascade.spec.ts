import { CASES, diagnosed, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

describe('fault class: a cascade', () => {
  it.each(CASES)(
    'seed %i, %i instances: backend X, with the callers of the services that need X explained by X',
    (seed, instances) => {
      const run = runScenario({ faultClass: 'cascade', seed, instances });
      expect(run.truths[0].variant).toBe('cascade');
      expect(verdict(run)).toEqual(diagnosed(run));
      const x = run.truths[0].rootKey;
      const topo = run.scenario.topology;
      // B: the services that check X; their callers check B's endpoint. All of them sit in X's incident.
      const b = [...topo.services.values()]
        .filter((s) => s.deps.some((d) => d.key === x))
        .map((s) => s.name);
      const callers = [...topo.services.values()].filter((s) =>
        s.deps.some((d) => d.service !== null && b.includes(d.service)),
      );
      expect(callers.length).toBeGreaterThan(0);
      const [incident] = run.incidents.values();
      for (const caller of callers) expect(incident.affected.services).toContain(caller.name);
      expect(incident.rootCauses[0].summary).toMatch(
        /explains \d+ failing checks of its dependents' dependents/,
      );
      // Nobody ever paged for B or for B's endpoint on its own.
      expect(
        run.changes
          .filter((c) => c.incident.rootCauses[0].key !== x)
          .map((c) => c.incident.rootCauses[0].key),
      ).toEqual([]);
    },
  );
});
