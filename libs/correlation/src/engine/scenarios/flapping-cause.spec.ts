import { CASES, diagnosed, explain, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

// Up periods reach 90 s and the scenario ends 90 s after the last recovery: no quiet period can
// both bridge every up period and resolve before that end (an 89 s up period and the end look
// the same until they are over). So a flapping incident's quiet period bridges its longest up
// period seen (×1.5, at most 2 × quietPeriodMs) and the run plays 90 s more of healthy fleet to
// see it resolve. Before the engine has seen it flap, an up period longer than the plain quiet
// period (75 s) resolves the incident: the cause failing again then reopens it (same id), so the
// fault is still one incident, opened once.
const EXTRA_TAIL_MS = 90_000;

describe('fault class: a flapping cause', () => {
  it.each(CASES)(
    'seed %i, %i instances: the backend, in one incident that stays open across its down-up cycles',
    (seed, instances) => {
      const run = runScenario({ faultClass: 'flapping-cause', seed, instances }, {}, EXTRA_TAIL_MS);
      const stages = run.truths[0].stages ?? [];
      expect(run.truths[0].cycles).toBeGreaterThanOrEqual(4);
      expect(verdict(run)).toEqual(diagnosed(run));
      expect({ incidents: run.incidents.size, why: explain(run) }).toMatchObject({ incidents: 1 });
      const [incident] = run.incidents.values();
      // Opened once; resolved for good after the last recovery; resolved at most once before that
      // (an up period longer than its quiet period so far), and then reopened, never opened again.
      expect(run.changes.filter((c) => c.type === 'opened')).toHaveLength(1);
      const resolutions = run.changes.filter((c) => c.type === 'resolved');
      expect(resolutions.length).toBeGreaterThanOrEqual(1);
      expect(resolutions.length).toBeLessThanOrEqual(2);
      const last = resolutions[resolutions.length - 1];
      expect(run.changes[run.changes.length - 1]).toBe(last);
      expect(last.at).toBeGreaterThan(stages[stages.length - 1].endAt);
      expect(incident).toMatchObject({ status: 'resolved', flapping: true });
      expect(incident.cycles).toBe(stages.length);
      expect(incident.openedAt).toBeLessThan(stages[0].endAt);
    },
  );
});
