import type { Change } from '@faultline/changes';
import { serviceKey } from '@faultline/reports';

import type { EngineEventLike, ScoredIncidentChange } from './engine-event';
import { scoreRun } from './scorer';
import { checkOf, keyOf, record, SHAPE_CASES, truth, within } from './spec-support';

const posts = (events: readonly EngineEventLike[]): Change[] =>
  events.flatMap((e) => (e.kind === 'change' ? [e.change] : []));

/** The status a change ends the scenario with: its last post. */
const finalStatus = (events: readonly EngineEventLike[], id: string): string | undefined =>
  posts(events)
    .filter((c) => c.id === id)
    .at(-1)?.status;

describe('fault class: bad-deploy', () => {
  it.each(SHAPE_CASES)(
    'seed %i, %i instances: a deploy, then the service breaks and its callers fail; rolled back at the end',
    (seed, instances) => {
      const { scenario, events, reports, truths } = record({
        faultClass: 'bad-deploy',
        seed,
        instances,
      });
      const [t] = truths;
      const fault = scenario.faults[0].fault as { kind: string; service: string; backend?: string };
      const svc = scenario.topology.services.get(fault.service);
      expect(t.rootKey).toBe(serviceKey(fault.service));
      const deploy = posts(events).find((c) => c.id === t.change);
      expect(deploy).toMatchObject({ entity: t.rootKey, kind: 'deploy', status: 'started' });
      // The deploy comes 20-60 s before the service breaks, and is rolled back before it recovers.
      expect(t.startAt - (deploy?.startedAt ?? 0)).toBeGreaterThanOrEqual(20_000);
      expect(t.startAt - (deploy?.startedAt ?? 0)).toBeLessThanOrEqual(60_000);
      expect(finalStatus(events, t.change as string)).toBe('rolled-back');
      const rollback = posts(events).find((c) => c.id === `${t.change}-rollback`);
      expect(rollback?.startedAt).toBeLessThan(t.endAt);
      expect(finalStatus(events, `${t.change}-rollback`)).toBe('succeeded');
      expect(t.variant).toBe(fault.kind === 'service-link' ? 'broken-call' : 'crash');
      if (seed % 2 === 0) expect(fault.kind).toBe('service-broken');
      const during = within(reports, t.startAt + 1_000, t.endAt);
      const own = during.filter((r) => r.service === fault.service);
      expect(own.length).toBeGreaterThan(0);
      if (fault.kind === 'service-broken') {
        // Every instance reports itself down.
        expect(
          own.every(
            (r) =>
              r.status === 'fail' &&
              r.checks.some((c) => c.targetKey === null && c.status === 'fail'),
          ),
        ).toBe(true);
      } else {
        // Every instance fails its check of one backend that the others still reach.
        const backend = fault.backend as string;
        expect(own.every((r) => checkOf(r, backend)?.status === 'fail')).toBe(true);
        const others = during.filter((r) => r.service !== fault.service && checkOf(r, backend));
        expect(others.filter((r) => checkOf(r, backend)?.status === 'fail').length).toBeLessThan(
          Math.max(1, 0.1 * others.length),
        );
      }
      // Its callers fail its endpoint.
      const callers = during.filter((r) => svc && checkOf(r, svc.endpoint));
      if (callers.length > 0)
        expect(callers.some((r) => checkOf(r, svc?.endpoint as string)?.status === 'fail')).toBe(
          true,
        );
      expect(t.affected).toEqual(expect.arrayContaining(svc?.instances ?? []));
    },
  );
});

describe('fault class: bad-config', () => {
  it.each(SHAPE_CASES)(
    'seed %i, %i instances: a backend reconfigured, then its dependents fail while it reports well',
    (seed, instances) => {
      const { scenario, events, reports, truths } = record({
        faultClass: 'bad-config',
        seed,
        instances,
      });
      const [t] = truths;
      const backend = scenario.topology.backends.get(t.rootKey);
      const config = posts(events).find((c) => c.id === t.change);
      expect(config).toMatchObject({ entity: t.rootKey, kind: 'config' });
      expect(t.startAt - (config?.startedAt ?? 0)).toBeGreaterThanOrEqual(5_000);
      expect(t.startAt - (config?.startedAt ?? 0)).toBeLessThanOrEqual(30_000);
      expect(
        posts(events).some((c) => c.id === `${t.change}-revert` && c.startedAt < t.endAt),
      ).toBe(true);
      const during = within(reports, t.startAt + 1_000, t.endAt);
      const server = during.filter((r) => keyOf(r) === backend?.server);
      expect(server.length).toBeGreaterThan(0);
      expect(server.filter((r) => r.status === 'fail').length).toBeLessThanOrEqual(1);
      const dependents = during.filter((r) => checkOf(r, t.rootKey));
      expect(dependents.length).toBeGreaterThan(0);
      expect(dependents.every((r) => checkOf(r, t.rootKey)?.status === 'fail')).toBe(true);
    },
  );
});

describe('decoy changes', () => {
  it.each([
    ['backend-down', 5, 400],
    ['instance-local', 2, 120],
    ['bad-deploy', 3, 400],
  ] as const)(
    '%s, seed %i, %i instances: unrelated deploys, several an hour, and the same reports as without',
    (faultClass, seed, instances) => {
      const plain = record({ faultClass, seed, instances });
      const decoyed = record({ faultClass, seed, instances, decoyChangesPerHour: 12 });
      expect(decoyed.events.filter((e) => e.kind !== 'change')).toEqual(
        plain.events.filter((e) => e.kind !== 'change'),
      );
      expect(decoyed.truths).toEqual(plain.truths);
      const decoys = (decoyed.scenario.changes ?? []).filter((c) => c.decoy);
      // 12 an hour over the scenario and the 15 minutes before it: a few, never none.
      const hours = (decoyed.scenario.endAt - decoyed.scenario.startAt + 15 * 60_000) / 3_600_000;
      expect(decoys.length).toBeGreaterThan(0);
      expect(decoys.length).toBeLessThan(12 * hours * 3);
      const root = plain.truths[0].rootKey;
      const rootService = root.startsWith('instance:')
        ? serviceKey(root.slice('instance:'.length, root.indexOf('/')))
        : root;
      for (const d of decoys) {
        expect(d.change.entity).not.toBe(rootService);
        // One post as started, one as succeeded; one already done before the scenario, as succeeded only.
        if (d.updates[0].at <= decoyed.scenario.startAt) continue;
        expect(
          posts(decoyed.events)
            .filter((c) => c.id === d.change.id)
            .map((c) => c.status),
        ).toEqual(['started', 'succeeded']);
      }
    },
  );
});

describe('scoreRun: changes', () => {
  const incident = (
    id: string,
    rootCauses: ScoredIncidentChange['incident']['rootCauses'],
  ): ScoredIncidentChange => ({
    type: 'opened',
    at: 105_000,
    incident: {
      id,
      status: 'open',
      openedAt: 105_000,
      rootCauses,
      affected: { instances: ['instance:a/a-1'] },
    },
  });
  const deployTruth = truth('f1', 'service:billing', { change: 'dep-1' });

  it('counts the change as the root, or its entity naming the change, not the entity alone', () => {
    const byChange = scoreRun(
      [deployTruth],
      [
        incident('i1', [
          { key: 'change:dep-1', change: { id: 'dep-1' } },
          { key: 'service:billing' },
        ]),
      ],
    );
    expect(byChange.truths[0]).toMatchObject({ rank: 1, delayMs: 4_000 });
    const byEvidence = scoreRun(
      [deployTruth],
      [incident('i1', [{ key: 'service:billing', changes: [{ id: 'dep-1' }] }])],
    );
    expect(byEvidence.truths[0].rank).toBe(1);
    const bare = scoreRun([deployTruth], [incident('i1', [{ key: 'service:billing' }])]);
    expect(bare.truths[0].rank).toBeNull();
    expect(bare.falsePositives).toBe(0);
  });

  it('counts an incident a decoy tops as a false positive, and one naming it as evidence apart', () => {
    const score = scoreRun(
      [truth('f1', 'backend:x')],
      [
        incident('i1', [{ key: 'change:decoy-1', change: { id: 'decoy-1' } }]),
        incident('i2', [{ key: 'backend:x', changes: [{ id: 'decoy-2' }] }]),
      ],
      { decoys: new Set(['decoy-1', 'decoy-2']) },
    );
    expect(score).toMatchObject({ falsePositives: 1, decoyTop: 1, decoyNamed: 2 });
    expect(score.truths[0]).toMatchObject({ rank: 1, incidents: ['i2'] });
  });
});
