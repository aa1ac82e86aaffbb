import { INTAKE_KEY } from './scenario.model';
import { keyOf, record, SHAPE_CASES, within } from './spec-support';

describe('fault class: everything-silent', () => {
  it.each(SHAPE_CASES)(
    'seed %i, %i instances: every instance stops reporting at once for 2-5 minutes, then resumes',
    (seed, instances) => {
      const { scenario, reports, truths } = record({
        faultClass: 'everything-silent',
        seed,
        instances,
      });
      const [truth] = truths;
      const all = [...scenario.topology.instances.keys()].sort();
      expect(truth.rootKey).toBe(INTAKE_KEY);
      expect(truth.endAt - truth.startAt).toBeGreaterThanOrEqual(120_000);
      expect(truth.endAt - truth.startAt).toBeLessThanOrEqual(300_000);
      // No report at all from any instance inside the window.
      expect(within(reports, truth.startAt, truth.endAt)).toEqual([]);
      // Everyone reported in the interval before, and everyone reports again after.
      expect(new Set(within(reports, truth.startAt - 11_000, truth.startAt).map(keyOf)).size).toBe(
        all.length,
      );
      expect(new Set(within(reports, truth.endAt, truth.endAt + 11_000).map(keyOf)).size).toBe(
        all.length,
      );
      // And nothing failed because of it: the fleet was healthy, only unheard.
      expect(truth.affected).toEqual(all);
      // Evidence as for any silence: the third missed interval of the first instance to go quiet.
      const lastBefore = new Map<string, number>();
      for (const r of within(reports, scenario.startAt, truth.startAt))
        lastBefore.set(keyOf(r), r.observedAt);
      expect(truth.evidenceAt).toBe(Math.min(...lastBefore.values()) + 30_000);
    },
  );
});
