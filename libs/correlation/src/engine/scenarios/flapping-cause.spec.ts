import { CASES, diagnosed, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

// Skipped: not satisfiable as the simulator plays it (see the engine report, issue 11). Up periods
// reach 90 s and the scenario ends 90 s after the last recovery, so no quiet period can both bridge
// every up period and resolve before the end; seeds 1, 3, 4 and 5 have up periods of 85-89 s, which
// the 75 s quiet period (from the recovery's midpoint) does not bridge: they get a second incident.
describe.skip('fault class: a flapping cause', () => {
  it.each(CASES)(
    'seed %i, %i instances: the backend, in one incident that stays open across its down-up cycles',
    (seed, instances) => {
      const run = runScenario({ faultClass: 'flapping-cause', seed, instances });
      expect(run.truths[0].cycles).toBeGreaterThanOrEqual(4);
      expect(verdict(run)).toEqual(diagnosed(run));
      expect(run.incidents.size).toBe(1);
      // Opened once, resolved once (after the last recovery), never resolved between cycles.
      const [incident] = run.incidents.values();
      expect(run.changes.filter((c) => c.type === 'opened')).toHaveLength(1);
      expect(run.changes.filter((c) => c.type === 'resolved')).toHaveLength(1);
      expect(incident.openedAt).toBeLessThan(run.truths[0].stages?.[0].endAt ?? 0);
    },
  );
});
