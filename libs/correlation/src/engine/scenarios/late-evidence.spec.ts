import { CASES, diagnosed, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

describe('fault class: the root’s own evidence arrives late', () => {
  it.each([...CASES, [6, 120] as [number, number], [8, 400] as [number, number]])(
    'seed %i, %i instances: re-ranked, not duplicated',
    (seed, instances) => {
      const run = runScenario({ faultClass: 'late-evidence', seed, instances });
      expect(verdict(run)).toEqual(diagnosed(run));
      const [incident] = run.incidents.values();
      const updates = run.changes.filter((c) => c.type === 'updated');
      expect(updates.length).toBeGreaterThan(0);
      if (run.truths[0].variant === 'late-self-report') {
        // The broker's own failing report, delivered 15-25 s late, made it into the ranking.
        expect(incident.rootCauses[0].summary).toContain('it reports itself down');
        expect(run.scenario.faults[0].late?.lateByMs).toBeGreaterThanOrEqual(15_000);
      } else {
        expect(run.truths[0].variant).toBe('late-host-silence');
        expect(incident.rootCauses[0].kind).toBe('host');
        // The cache on the host is explained by the host, as the runner-up.
        expect(incident.rootCauses.slice(1).map((c) => c.key)).toContainEqual(
          expect.stringMatching(/^backend:redis:/),
        );
      }
    },
  );
});
