import { zoneKey } from '@faultline/reports';

import type { Fault } from './scenario.model';
import { checkOf, keyOf, record, SHAPE_CASES, share, within } from './spec-support';

type Partition = Extract<Fault, { kind: 'partition' }>;
type Isolated = Extract<Fault, { kind: 'backend-isolated' }>;

describe('fault class: network-partition', () => {
  const zonePartition = SHAPE_CASES.filter(([seed]) => seed % 2 === 1);
  const mirror = SHAPE_CASES.filter(([seed]) => seed % 2 === 0);

  it.each(zonePartition)(
    'seed %i, %i instances: one zone loses 3-5 backends that the other zones still reach',
    (seed, instances) => {
      const { scenario, reports, truths } = record({
        faultClass: 'network-partition',
        seed,
        instances,
      });
      const topo = scenario.topology;
      const [truth] = truths;
      const fault = scenario.faults[0].fault as Partition;
      expect(fault.kind).toBe('partition');
      expect(truth).toMatchObject({ rootKey: zoneKey(fault.zone), variant: 'zone-partition' });
      expect(fault.backends.length).toBeGreaterThanOrEqual(3);
      expect(fault.backends.length).toBeLessThanOrEqual(5);
      const during = within(reports, truth.startAt, truth.endAt);
      const lostBy = new Set<string>();
      for (const key of fault.backends) {
        const backend = topo.backends.get(key);
        const server = topo.instances.get(backend?.server ?? '');
        // The backend is served from another zone, and its server keeps reporting healthy.
        expect(server?.zone).not.toBe(fault.zone);
        const own = during.filter((r) => keyOf(r) === server?.key);
        expect(own.length).toBeGreaterThan(5);
        expect(share(own, (r) => r.checks.every((c) => c.status === 'pass'))).toBeGreaterThan(0.9);
        const checking = during.filter((r) => checkOf(r, key));
        const inZone = checking.filter((r) => r.labels.zone === fault.zone);
        const elsewhere = checking.filter((r) => r.labels.zone !== fault.zone);
        expect(inZone.length).toBeGreaterThan(0);
        expect(elsewhere.length).toBeGreaterThan(0);
        // Dependents in the zone fail on it, every time; dependents elsewhere pass the same check.
        expect(inZone.every((r) => checkOf(r, key)?.status === 'fail')).toBe(true);
        expect(share(elsewhere, (r) => checkOf(r, key)?.status === 'pass')).toBeGreaterThan(0.95);
        for (const r of inZone) lostBy.add(keyOf(r));
      }
      expect(truth.affected).toEqual(expect.arrayContaining([...lostBy]));
      // The first evidence: a failing report the partition caused (a lost backend, or the endpoint
      // of a service it took down), no later than the zone's first failing check of a lost backend.
      const firstLost = Math.min(
        ...during
          .filter(
            (r) =>
              r.labels.zone === fault.zone &&
              fault.backends.some((k) => checkOf(r, k)?.status === 'fail'),
          )
          .map((r) => r.observedAt),
      );
      expect(truth.evidenceAt).toBeGreaterThanOrEqual(truth.startAt);
      expect(truth.evidenceAt).toBeLessThanOrEqual(firstLost);
      expect(
        during.some(
          (r) => r.observedAt === truth.evidenceAt && r.checks.some((c) => c.status === 'fail'),
        ),
      ).toBe(true);
      // After the partition heals, the zone reaches them again.
      const after = within(reports, truth.endAt + 1_000, scenario.endAt).filter(
        (r) => r.labels.zone === fault.zone,
      );
      const checks = after.flatMap((r) =>
        fault.backends.map((k) => checkOf(r, k)).filter((c) => c),
      );
      expect(share(checks, (c) => c?.status === 'pass')).toBeGreaterThan(0.95);
    },
  );

  it.each(mirror)(
    "seed %i, %i instances ('zone-only-backend'): a backend reachable from its own zone only",
    (seed, instances) => {
      const { scenario, reports, truths } = record({
        faultClass: 'network-partition',
        seed,
        instances,
      });
      const topo = scenario.topology;
      const [truth] = truths;
      const fault = scenario.faults[0].fault as Isolated;
      expect(fault.kind).toBe('backend-isolated');
      const backend = topo.backends.get(fault.backend);
      const server = topo.instances.get(backend?.server ?? '');
      expect(server?.zone).toBe(fault.zone);
      // The root is the backend (its cross-zone path broke), not its healthy zone.
      expect(truth).toMatchObject({ rootKey: fault.backend, variant: 'zone-only-backend' });
      const during = within(reports, truth.startAt, truth.endAt);
      const own = during.filter((r) => keyOf(r) === server?.key);
      expect(share(own, (r) => r.checks.every((c) => c.status === 'pass'))).toBeGreaterThan(0.9);
      const checking = during.filter((r) => checkOf(r, fault.backend));
      const inZone = checking.filter((r) => r.labels.zone === fault.zone);
      const elsewhere = checking.filter((r) => r.labels.zone !== fault.zone);
      expect(new Set(elsewhere.map(keyOf)).size).toBeGreaterThanOrEqual(2);
      expect(elsewhere.every((r) => checkOf(r, fault.backend)?.status === 'fail')).toBe(true);
      expect(share(inZone, (r) => checkOf(r, fault.backend)?.status === 'pass')).toBeGreaterThan(
        0.95,
      );
      expect(truth.affected).toEqual(expect.arrayContaining([...new Set(elsewhere.map(keyOf))]));
    },
  );

  it('draws both shapes over the seeds', () => {
    const kinds = SHAPE_CASES.map(
      ([seed, instances]) =>
        record({ faultClass: 'network-partition', seed, instances }).scenario.faults[0].fault.kind,
    );
    expect(new Set(kinds)).toEqual(new Set(['partition', 'backend-isolated']));
  });
});
