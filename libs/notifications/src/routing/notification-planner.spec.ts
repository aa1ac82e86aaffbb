import {
  type PastNotification,
  type PlanInput,
  planNotifications,
  recoveredByService,
  RESOLVED_BEFORE_OPENED,
  resolvedGate,
} from './notification-planner';

const NOW = Date.UTC(2026, 10, 25, 12);
const MQ = 'backend:amqp://rabbit-1:5672';

function input(
  over: Partial<PlanInput> = {},
  incident: Partial<PlanInput['incident']> = {},
): PlanInput {
  return {
    incident: {
      id: 'inc-1',
      status: 'open',
      openedAt: '2026-11-25T11:59:00.000Z',
      resolvedAt: null,
      rootCauses: [
        {
          key: MQ,
          kind: 'backend',
          confidence: 0.95,
          summary: '18 of 18 dependents lost it within 4 s',
        },
      ],
      affected: {
        services: ['nova-api', 'cinder'],
        instances: ['instance:nova-api/n-1', 'instance:nova-api/n-2', 'instance:cinder/c-1'],
      },
      ...incident,
    },
    labels: new Map([['zone', new Set(['az1'])]]),
    channelIds: ['ops', 'db-team', 'pager'],
    routes: [
      {
        id: 'r1',
        match: { services: ['billing'] },
        channelIds: ['db-team'],
        repeatIntervalMs: null,
      },
      {
        id: 'r2',
        match: { causeKinds: ['backend'] },
        channelIds: ['pager'],
        repeatIntervalMs: 3_600_000,
      },
    ],
    silences: [],
    past: [],
    now: NOW,
    incidentUrl: 'https://faultline.example/incidents/inc-1',
    ...over,
  };
}
const sent = (
  channelId: string,
  eventKey: string,
  at: number,
  topCause = MQ,
): PastNotification => ({ channelId, eventKey, topCause, createdAt: at });

describe('planNotifications', () => {
  it('opens on every matching route and the default route (channels no route names), once', () => {
    const plan = planNotifications(input());
    expect(plan.map((p) => `${p.channelId}:${p.eventKey}`)).toEqual(['ops:opened', 'pager:opened']);
    expect(plan[0].event).toMatchObject({
      id: 'inc-1:opened',
      kind: 'opened',
      severity: 'critical',
      incident: { url: 'https://faultline.example/incidents/inc-1' },
    });
    expect(
      planNotifications(
        input({ past: [sent('ops', 'opened', NOW - 1000), sent('pager', 'opened', NOW - 1000)] }),
      ),
    ).toEqual([]);
  });

  it('carries a change cause, the changes in the evidence and the first symptom into the event, and routes on cause kind change', () => {
    const deploy = {
      id: 'deploy-4411',
      entity: 'service:billing',
      kind: 'deploy',
      status: 'succeeded',
      startedAt: '2026-11-25T11:58:20.000Z',
      version: 'v2.3.1',
      source: 'ci',
      summary: 'billing v2.3.1',
    };
    const plan = planNotifications(
      input(
        {
          routes: [
            {
              id: 'r3',
              match: { causeKinds: ['change'] },
              channelIds: ['db-team'],
              repeatIntervalMs: null,
            },
          ],
        },
        {
          firstEvidenceAt: '2026-11-25T11:59:00.000Z',
          rootCauses: [
            // Fields the event has no use for (here `extra`) are not copied.
            {
              key: 'change:deploy-4411',
              kind: 'change',
              confidence: 0.9,
              summary: 's',
              change: { ...deploy, extra: 1 } as typeof deploy,
            },
            {
              key: 'service:billing',
              kind: 'service',
              confidence: 0.5,
              summary: 't',
              changes: [deploy],
            },
          ],
        },
      ),
    );
    expect(plan.map((p) => p.channelId)).toEqual(['db-team', 'ops', 'pager']);
    expect(plan[0].event.incident).toMatchObject({
      firstEvidenceAt: '2026-11-25T11:59:00.000Z',
      rootCauses: [
        { key: 'change:deploy-4411', kind: 'change', change: deploy },
        { key: 'service:billing', kind: 'service', changes: [deploy] },
      ],
    });
    expect(plan[0].event.incident.rootCauses[0].change).toEqual(deploy);
    expect(plan[0].event.severity).toBe('critical');
    // An incident without changes gets an event without change fields.
    const plain = planNotifications(input())[0].event.incident;
    expect(plain).not.toHaveProperty('firstEvidenceAt');
    expect(Object.keys(plain.rootCauses[0])).toEqual(['key', 'kind', 'confidence', 'summary']);
  });

  it('tells each channel when the top cause changes, naming the previous one, once per cause', () => {
    const host = 'host:rabbit-1';
    const moved = input(
      { past: [sent('ops', 'opened', NOW - 5000)], channelIds: ['ops'], routes: [] },
      {
        rootCauses: [{ key: host, kind: 'host', confidence: 0.9, summary: 'it stopped reporting' }],
      },
    );
    const [plan] = planNotifications(moved);
    expect(plan).toMatchObject({
      eventKey: `cause:${host}`,
      kind: 'cause-changed',
      event: { incident: { previousTopCause: MQ } },
    });
    expect(
      planNotifications({
        ...moved,
        past: [...moved.past, sent('ops', `cause:${host}`, NOW - 10, host)],
      }),
    ).toEqual([]);
  });

  it('repeats on a route with a repeat interval once the last message is that old', () => {
    const past = [
      sent('ops', 'opened', NOW - 2 * 3_600_000),
      sent('pager', 'opened', NOW - 3_600_000),
    ];
    expect(planNotifications(input({ past })).map((p) => `${p.channelId}:${p.eventKey}`)).toEqual([
      'pager:repeat:1',
    ]);
    expect(
      planNotifications(
        input({ past: [...past.slice(0, 1), sent('pager', 'opened', NOW - 3_599_000)] }),
      ),
    ).toEqual([]);
  });

  it('resolves once, listing what recovered by service', () => {
    const resolved = input(
      { past: [sent('ops', 'opened', NOW - 60_000)], channelIds: ['ops'], routes: [] },
      { status: 'resolved', resolvedAt: '2026-11-25T12:00:00.000Z' },
    );
    const [plan] = planNotifications(resolved);
    expect(plan).toMatchObject({ eventKey: 'resolved', kind: 'resolved' });
    expect(plan.event.incident.recovered).toEqual([
      { service: 'cinder', instances: ['c-1'] },
      { service: 'nova-api', instances: ['n-1', 'n-2'] },
    ]);
    expect(
      planNotifications({ ...resolved, past: [...resolved.past, sent('ops', 'resolved', NOW)] }),
    ).toEqual([]);
  });

  it('records but holds back what an active silence matches, naming the silence', () => {
    const plan = planNotifications(
      input({
        silences: [
          { id: 's1', match: { labels: { zone: 'az1' } } },
          { id: 's2', match: { services: ['other'] } },
        ],
      }),
    );
    expect(plan.map((p) => p.silencedBy)).toEqual([['s1'], ['s1']]);
  });

  it('matches routes by cause key prefix, label and severity', () => {
    const routes = [
      {
        id: 'r',
        match: {
          causeKeys: ['backend:amqp://*'],
          labels: { zone: 'az1' },
          severity: 'critical' as const,
        },
        channelIds: ['pager'],
        repeatIntervalMs: null,
      },
    ];
    expect(
      planNotifications(input({ routes, channelIds: ['pager'] })).map((p) => p.channelId),
    ).toEqual(['pager']);
    const other = [{ ...routes[0], match: { ...routes[0].match, labels: { zone: 'az2' } } }];
    expect(planNotifications(input({ routes: other, channelIds: ['pager'] }))).toEqual([]);
  });
});

describe('a channel that never got opened is never sent resolved', () => {
  const resolved = (past: PastNotification[]) =>
    input(
      { past, channelIds: ['ops', 'late'], routes: [] },
      { status: 'resolved', resolvedAt: '2026-11-25T12:00:00.000Z' },
    );

  it('records opened and resolved as skipped for a channel with no opened row (resolved before it was planned)', () => {
    const plan = planNotifications(resolved([sent('ops', 'opened', NOW - 60_000)]));
    expect(plan.map((p) => [p.channelId, p.eventKey, p.skipReason])).toEqual([
      ['late', 'opened', RESOLVED_BEFORE_OPENED],
      ['late', 'resolved', RESOLVED_BEFORE_OPENED],
      ['ops', 'resolved', undefined],
    ]);
    // An incident that opened and resolved between two plans: nothing to send anywhere.
    expect(planNotifications(resolved([])).every((p) => p.skipReason)).toBe(true);
  });

  it('a silence still wins over the skip (recorded as silenced)', () => {
    const plan = planNotifications({
      ...resolved([]),
      silences: [{ id: 's1', match: { services: ['cinder'] } }],
    });
    expect(plan.every((p) => p.silencedBy.includes('s1'))).toBe(true);
  });

  it('lets resolved go out only after opened was sent; skips an unattempted opened; waits for one under way', () => {
    expect(resolvedGate({ status: 'sent', attempts: 1 })).toEqual({ action: 'send' });
    expect(resolvedGate({ status: 'pending', attempts: 0 })).toEqual({ action: 'skip-opened' });
    // An attempt started: it may be in flight, or have reached the receiver and timed out.
    expect(resolvedGate({ status: 'pending', attempts: 2 })).toEqual({ action: 'wait' });
    for (const status of ['skipped', 'silenced', 'failed'] as const)
      expect(resolvedGate({ status, attempts: 1 })).toMatchObject({ action: 'skip' });
    expect(resolvedGate({ status: 'skipped', attempts: 0 })).toEqual({
      action: 'skip',
      reason: RESOLVED_BEFORE_OPENED,
    });
    expect(resolvedGate(null)).toMatchObject({ action: 'skip' });
  });
});

describe('a flapping incident (one incident across its cycles)', () => {
  const flapping = (cycles: number, rootCauses?: PlanInput['incident']['rootCauses']) => {
    const base = input({ channelIds: ['ops'], routes: [] });
    const incident = {
      ...base.incident,
      ...(rootCauses ? { rootCauses } : {}),
      flapping: true,
      cycles,
      timeline: Array.from({ length: 2 * cycles }, (_, i) => ({ at: `t${i}`, what: 'cycle' })),
    };
    return { ...base, incident };
  };

  it('sends one opened, nothing per cycle, and cause-changed only when the top cause moves', () => {
    expect(planNotifications(flapping(1)).map((p) => p.eventKey)).toEqual(['opened']);
    const past = [sent('ops', 'opened', NOW - 30_000)];
    for (const cycles of [2, 3, 7])
      expect(planNotifications({ ...flapping(cycles), past })).toEqual([]);
    const moved = planNotifications({
      ...flapping(4, [
        { key: 'host:rabbit-1', kind: 'host', confidence: 0.8, summary: 'host down' },
      ]),
      past,
    });
    expect(moved.map((p) => p.eventKey)).toEqual(['cause:host:rabbit-1']);
    expect(moved[0].event.incident).not.toHaveProperty('timeline');
    expect(moved[0].event.incident).not.toHaveProperty('cycles');
  });
});

describe('recoveredByService', () => {
  it('groups instance keys by service', () => {
    expect(recoveredByService(['instance:a/2', 'instance:b/1', 'instance:a/1'])).toEqual([
      { service: 'a', instances: ['1', '2'] },
      { service: 'b', instances: ['1'] },
    ]);
  });
});

describe('a reopened incident (it resolved, then its cause failed again)', () => {
  const at = (status: 'open' | 'resolved', past: PastNotification[], extra = {}) =>
    input(
      { channelIds: ['ops'], routes: [], past },
      {
        status,
        resolvedAt: status === 'resolved' ? '2026-11-25T12:00:00.000Z' : null,
        flapping: true,
        ...extra,
      },
    );
  const keys = (plan: ReturnType<typeof planNotifications>) =>
    plan.map((p) => `${p.kind}/${p.eventKey}`);

  it('sends one reopened per reopening, never a second opened, and resolved:<n> after each', () => {
    const past = [sent('ops', 'opened', NOW - 300_000), sent('ops', 'resolved', NOW - 200_000)];
    const reopened = planNotifications(at('open', past, { cycles: 3 }));
    expect(keys(reopened)).toEqual(['reopened/reopened:1']);
    expect(reopened[0].event).toMatchObject({
      id: 'inc-1:reopened:1',
      kind: 'reopened',
      incident: { status: 'open', resolvedAt: null, flapping: true, cycles: 3 },
    });
    past.push(sent('ops', 'reopened:1', NOW - 100_000));
    expect(planNotifications(at('open', past, { cycles: 4 }))).toEqual([]);

    const resolved = planNotifications(at('resolved', past));
    expect(keys(resolved)).toEqual(['resolved/resolved:2']);
    expect(resolved[0].event.incident.recovered).toHaveLength(2);
    past.push(sent('ops', 'resolved:2', NOW - 50_000));
    expect(planNotifications(at('resolved', past))).toEqual([]);

    expect(keys(planNotifications(at('open', past)))).toEqual(['reopened/reopened:2']);
    past.push(sent('ops', 'reopened:2', NOW - 10_000));
    expect(keys(planNotifications(at('resolved', past)))).toEqual(['resolved/resolved:3']);
  });

  it('says nothing of a resolution the channel never heard of', () => {
    const past = [sent('ops', 'opened', NOW - 300_000)];
    expect(planNotifications(at('open', past, { cycles: 2 }))).toEqual([]);
    expect(keys(planNotifications(at('resolved', past)))).toEqual(['resolved/resolved']);
  });

  it('says which cycle a reopened message is about when the incident carries it', () => {
    const past = [sent('ops', 'opened', NOW - 300_000), sent('ops', 'resolved', NOW - 200_000)];
    const [plan] = planNotifications(at('open', past, { cycles: 3 }));
    expect(plan.event.incident).toMatchObject({ flapping: true, cycles: 3 });
    const [bare] = planNotifications(at('open', past));
    expect(bare.event.incident.flapping).toBe(true);
    expect(bare.event.incident).not.toHaveProperty('cycles');
  });

  it('carries a new top cause in the reopened message, with no cause-changed after it', () => {
    const host = 'host:rabbit-1';
    const rootCauses = [{ key: host, kind: 'host', confidence: 0.9, summary: 'it stopped' }];
    const past = [sent('ops', 'opened', NOW - 300_000), sent('ops', 'resolved', NOW - 200_000)];
    const [plan] = planNotifications(at('open', past, { rootCauses }));
    expect(plan).toMatchObject({ kind: 'reopened', topCause: host });
    past.push(sent('ops', 'reopened:1', NOW - 1000, host));
    expect(planNotifications(at('open', past, { rootCauses }))).toEqual([]);
  });
});
