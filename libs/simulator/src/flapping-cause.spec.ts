import { checkOf, keyOf, record, SHAPE_CASES, share, within } from './spec-support';

describe('fault class: flapping-cause', () => {
  it.each(SHAPE_CASES)(
    'seed %i, %i instances: a backend down 30-60 s, up 30-90 s, over and over for 10 minutes, as one truth',
    (seed, instances) => {
      const { scenario, reports, truths } = record({
        faultClass: 'flapping-cause',
        seed,
        instances,
      });
      expect(truths).toHaveLength(1);
      const [truth] = truths;
      const backend = scenario.topology.backends.get(truth.rootKey);
      expect(backend?.server).not.toBeNull();
      const stages = truth.stages ?? [];
      expect(truth.cycles).toBe(stages.length);
      // One truth for the episode: from the first down to the last recovery.
      expect(truth.startAt).toBe(stages[0].startAt);
      expect(truth.endAt).toBe(stages[stages.length - 1].endAt);
      expect(
        stages.filter((s) => s.startAt < truth.startAt + 600_000).length,
      ).toBeGreaterThanOrEqual(4);
      expect(stages[stages.length - 1].startAt).toBeLessThan(truth.startAt + 600_000);
      stages.forEach((s, i) => {
        expect(s.kind).toBe('backend-down');
        expect(s.endAt - s.startAt).toBeGreaterThanOrEqual(30_000);
        expect(s.endAt - s.startAt).toBeLessThanOrEqual(60_000);
        if (i > 0) {
          expect(s.startAt - stages[i - 1].endAt).toBeGreaterThanOrEqual(30_000);
          expect(s.startAt - stages[i - 1].endAt).toBeLessThanOrEqual(90_000);
        }
      });
      const checking = reports.filter((r) => checkOf(r, truth.rootKey));
      const server = (r: (typeof reports)[number]) => keyOf(r) === backend?.server;
      const failing = (r: (typeof reports)[number]) => checkOf(r, truth.rootKey)?.status === 'fail';
      let downCycles = 0;
      stages.forEach((s, i) => {
        // Down: every dependent fails on it and its server says so.
        const down = within(checking, s.startAt, s.endAt);
        expect(down.length).toBeGreaterThan(0);
        expect(down.every(failing)).toBe(true);
        expect(
          within(reports, s.startAt, s.endAt)
            .filter(server)
            .every((r) => r.status === 'fail'),
        ).toBe(true);
        if (down.length > 0) downCycles++;
        // Up in between: its dependents reach it again.
        const next = stages[i + 1]?.startAt ?? scenario.endAt;
        expect(share(within(checking, s.endAt + 1_000, next), (r) => !failing(r))).toBeGreaterThan(
          0.95,
        );
      });
      expect(downCycles).toBeGreaterThanOrEqual(4);
      // The first evidence: the earliest failing report of the episode (its server's own, a
      // dependent's, or a caller of a service it took down), within the first down period.
      const episode = within(reports, truth.startAt, truth.endAt);
      const firstOwn = Math.min(
        ...episode
          .filter((r) => failing(r) || (server(r) && r.status === 'fail'))
          .map((r) => r.observedAt),
      );
      expect(truth.evidenceAt).toBeLessThanOrEqual(firstOwn);
      expect(truth.evidenceAt).toBeGreaterThanOrEqual(stages[0].startAt);
      expect(truth.evidenceAt).toBeLessThan(stages[0].endAt);
      expect(episode.some((r) => r.observedAt === truth.evidenceAt && r.status === 'fail')).toBe(
        true,
      );
      expect(truth.affected).toEqual(expect.arrayContaining(backend?.dependents ?? ['none']));
    },
  );
});
