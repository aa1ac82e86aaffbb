import type { Report } from '@faultline/reports';

import { checkOf, keyOf, record, SHAPE_CASES, share, within } from './spec-support';

describe('fault class: degraded-before-down', () => {
  it.each(SHAPE_CASES)(
    'seed %i, %i instances: dependents warn "slow" first; the backend then fails (odd seed) or never does (even)',
    (seed, instances) => {
      const { scenario, reports, truths } = record({
        faultClass: 'degraded-before-down',
        seed,
        instances,
      });
      const [truth] = truths;
      const backend = scenario.topology.backends.get(truth.rootKey);
      expect(backend?.server).not.toBeNull();
      const checking = reports.filter((r) => checkOf(r, truth.rootKey));
      const status = (r: Report) => checkOf(r, truth.rootKey)?.status;
      const server = (r: Report) => keyOf(r) === backend?.server;
      const warnUntil = seed % 2 === 0 ? truth.endAt : (truth.stages?.[1].startAt ?? 0);
      if (seed % 2 === 0) {
        expect(truth.variant).toBe('warn-only');
        expect(truth.endAt - truth.startAt).toBeGreaterThanOrEqual(180_000);
        expect(truth.endAt - truth.startAt).toBeLessThanOrEqual(300_000);
      } else {
        expect(truth.variant).toBe('warn-then-fail');
        expect(truth.stages?.map((s) => s.kind)).toEqual(['backend-slow', 'backend-down']);
        expect(warnUntil - truth.startAt).toBeGreaterThanOrEqual(60_000);
        expect(warnUntil - truth.startAt).toBeLessThanOrEqual(120_000);
      }
      // Degraded: every dependent's check of it warns (or flaps to fail), with a latency.
      const slow = within(checking, truth.startAt, warnUntil);
      expect(slow.length).toBeGreaterThan(0);
      expect(share(slow, (r) => status(r) === 'warn')).toBeGreaterThan(0.95);
      for (const r of slow.filter((x) => status(x) === 'warn')) {
        const c = checkOf(r, truth.rootKey);
        expect(c?.output).toMatch(/^slow: \d+ ms$/);
        expect(c?.output).toBe(`slow: ${c?.latencyMs} ms`);
        expect(['warn', 'fail']).toContain(r.status);
      }
      // Its server does not know: it keeps passing while degraded.
      const own = within(reports, truth.startAt, warnUntil).filter(server);
      expect(share(own, (r) => r.status === 'pass')).toBeGreaterThan(0.9);
      // The first evidence is the first warning report.
      expect(truth.evidenceAt).toBe(
        Math.min(...slow.filter((r) => status(r) === 'warn').map((r) => r.observedAt)),
      );
      expect(truth.affected).toEqual(expect.arrayContaining(backend?.dependents ?? ['none']));
      if (seed % 2 === 1) {
        // Then it fails: every dependent fails on it and its server says so.
        const down = within(checking, warnUntil, truth.endAt);
        expect(down.length).toBeGreaterThan(0);
        expect(down.every((r) => status(r) === 'fail')).toBe(true);
        expect(
          within(reports, warnUntil, truth.endAt)
            .filter(server)
            .every((r) => r.status === 'fail'),
        ).toBe(true);
      } else {
        // It never fails: no more failing checks of it than background flaps.
        expect(
          share(within(checking, truth.startAt, truth.endAt), (r) => status(r) === 'fail'),
        ).toBeLessThan(0.02);
      }
      // Before and after: healthy.
      const calm = [
        ...within(checking, scenario.startAt, truth.startAt),
        ...within(checking, truth.endAt + 1_000, scenario.endAt),
      ];
      expect(calm.some((r) => status(r) === 'warn')).toBe(false);
    },
  );
});
