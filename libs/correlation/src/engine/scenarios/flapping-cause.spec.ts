import { CASES, diagnosed, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

// engine work in progress (issue 11)
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
