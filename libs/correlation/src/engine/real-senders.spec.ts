import { type Check, parseTarget, type Report, type Status } from '@faultline/reports';

import { CorrelationEngine } from './correlation-engine';
import type { Incident, IncidentChange } from './engine.model';

/*
 * What real senders do that our own simulator did not: terminus services that name their
 * dependencies only by a key, alerts that arrive as events, instances that crash or fall silent
 * while failing, mappings added in the middle of an outage.
 */

const T0 = Date.UTC(2026, 11, 5, 10);
const s = (seconds: number) => T0 + seconds * 1000;
const SERVICES = ['orders', 'billing', 'search', 'catalog', 'shipping'];

const check = (name: string, target: string | null, status: Status): Check => ({
  name,
  target,
  targetKey: target === null ? null : parseTarget(target).key,
  status,
  latencyMs: null,
  output: null,
});

/** What one instance says at `at`: its checks, or null when it sends nothing. */
type Says = (service: string, at: number) => Check[] | null;

/** Each service has one instance reporting every 10 s (phases spread), a tick every second. */
function play(engine: CorrelationEngine, until: number, says: Says): IncidentChange[] {
  const changes: IncidentChange[] = [];
  const next = SERVICES.map((_, i) => T0 + i * 700);
  for (let tick = s(1); tick <= s(until); tick += 1000) {
    SERVICES.forEach((service, i) => {
      while (next[i] <= tick) {
        const at = next[i];
        next[i] += 10_000;
        const checks = says(service, at);
        if (checks === null) continue;
        const report: Report = {
          id: null,
          service,
          instance: `${service}-1`,
          host: `${service}-host`,
          labels: {},
          observedAt: at,
          receivedAt: at,
          status: checks.some((c) => c.status === 'fail') ? 'fail' : 'pass',
          checks,
        };
        engine.apply({ kind: 'report', report });
      }
    });
    const now = engine.apply({ kind: 'tick', at: tick });
    changes.push(...now);
    expectOneOpenIncidentPerCause(engine.openIncidents());
  }
  return changes;
}

function expectOneOpenIncidentPerCause(open: Incident[]): void {
  const tops = open.map((i) => i.rootCauses[0].key);
  expect(new Set(tops).size).toBe(tops.length);
}

/** The last snapshot of every incident. */
const incidents = (changes: IncidentChange[]): Incident[] => [
  ...new Map(changes.map((c) => [c.incident.id, c.incident])).values(),
];

/** A polled terminus app: `redis` and `inventory-api` named only by key, and its own heap. */
const terminus =
  (
    redis: (service: string, at: number) => Status,
    inventory: (service: string, at: number) => Status = () => 'pass',
    redisTarget: (service: string, at: number) => string = (svc) => `component://redis.${svc}`,
  ): Says =>
  (service, at) => [
    // Polled: the collector's own check of the target, as every polled report carries.
    check('reachability', 'collector://c1', 'pass'),
    check('memory_heap', null, 'pass'),
    check('inventory-api', `component://inventory-api.${service}`, inventory(service, at)),
    check('redis', redisTarget(service, at), redis(service, at)),
  ];

const downBetween =
  (from: number, to: number, only?: string[]) =>
  (service: string, at: number): Status =>
    at >= s(from) && at < s(to) && (!only || only.includes(service)) ? 'fail' : 'pass';

/** An alert as the alertmanager adapter reports it: an event about one instance. */
const alertReport = (service: string, at: number, checks: Check[]): Report => ({
  id: null,
  service,
  instance: `${service}-1:8080`,
  host: `${service}-1`,
  labels: {},
  observedAt: at,
  receivedAt: at,
  status: checks.some((c) => c.status === 'fail') ? 'fail' : 'pass',
  checks,
  periodic: false,
});

describe('correlation of what real senders report', () => {
  it('names the dependency five services each call "redis" as one shared cause, not five', () => {
    const changes = play(
      new CorrelationEngine(),
      200,
      terminus(downBetween(60, 120), downBetween(60, 120)),
    );
    const all = incidents(changes);
    expect(all.map((i) => i.rootCauses[0].key).sort()).toEqual([
      'backend:component://inventory-api',
      'backend:component://redis',
    ]);
    const redis = all.find((i) => i.rootCauses[0].key === 'backend:component://redis') as Incident;
    expect(redis.affected.services).toEqual([...SERVICES].sort());
    const [top] = redis.rootCauses;
    expect(top.confidence).toBeLessThanOrEqual(0.6);
    expect(top.confidence).toBeGreaterThanOrEqual(0.5);
    expect(top.summary).toMatch(/^5 services lost the dependency each calls "redis"/);
    expect(top.summary).toContain('PUT /api/v1/mappings/redis');
    expect(all.every((i) => i.status === 'resolved')).toBe(true);
  });

  it('keeps one service losing its "redis" alone as that service’s own backend', () => {
    const changes = play(new CorrelationEngine(), 150, terminus(downBetween(60, 120, ['search'])));
    expect(incidents(changes).map((i) => i.rootCauses[0].key)).toEqual([
      'backend:component://redis.search',
    ]);
  });

  it('re-ranks an open incident when a mapping names what failed, and never keeps two', () => {
    // search loses its redis first, alone; then a fleet-wide mapping lands (its reports name
    // the address from t=90 on) and the other services lose the same redis.
    const mapped = (svc: string, at: number) =>
      at >= s(90) ? 'redis://10.0.0.5:6379' : `component://redis.${svc}`;
    const redis = (svc: string, at: number): Status =>
      (svc === 'search' && at >= s(40) && at < s(160)) || (at >= s(100) && at < s(160))
        ? 'fail'
        : 'pass';
    const changes = play(new CorrelationEngine(), 260, terminus(redis, undefined, mapped));
    const all = incidents(changes);
    expect(all.map((i) => i.rootCauses[0].key)).toEqual(['backend:redis://10.0.0.5:6379']);
    const tops = all[0].timeline.map((e) => e.topCause).filter(Boolean);
    expect(tops[0]).toBe('backend:component://redis.search');
    expect(tops[tops.length - 1]).toBe('backend:redis://10.0.0.5:6379');
    expect(all[0].affected.services).toEqual([...SERVICES].sort());
  });

  it('never calls an event source silent: alerts and a single report open nothing by silence', () => {
    const engine = new CorrelationEngine();
    const alert = (service: string, at: number, status: Status): Report =>
      alertReport(service, at, [check('HighLatency', null, status)]);
    const changes: IncidentChange[] = [];
    // Two alert sources fire and resolve at irregular moments, a third sends one heartbeat-shaped
    // report by hand (the README's example), then all three stay quiet for ten minutes.
    engine.apply({ kind: 'report', report: alert('web', s(0), 'fail') });
    engine.apply({ kind: 'report', report: alert('api', s(2), 'fail') });
    engine.apply({ kind: 'report', report: alert('web', s(30), 'pass') });
    engine.apply({ kind: 'report', report: alert('api', s(45), 'pass') });
    engine.apply({
      kind: 'report',
      report: { ...alert('checkout', s(50), 'pass'), periodic: undefined, instance: 'checkout-1' },
    });
    for (let t = s(1); t <= s(600); t += 1000)
      changes.push(...engine.apply({ kind: 'tick', at: t }));
    const said = changes.flatMap((c) => [
      ...c.incident.rootCauses.map((r) => r.summary),
      ...c.incident.timeline.map((e) => e.what),
    ]);
    expect(said.filter((w) => /stopped reporting|missed/.test(w))).toEqual([]);
    expect(engine.stats().pendingDeadlines).toBe(0);
  });

  it('does not resolve when a crashed instance’s checks vanish, and gives the crash its own incident', () => {
    // shipping crashes at t=100: its polls answer only a failing reachability check from then on.
    const base = terminus(downBetween(60, 200));
    const says: Says = (service, at) =>
      service === 'shipping' && at >= s(100)
        ? [check('reachability', 'collector://c1', 'fail')]
        : base(service, at);
    const changes = play(new CorrelationEngine(), 320, says);
    const all = incidents(changes);
    const redis = all.find((i) => i.rootCauses[0].key === 'backend:component://redis') as Incident;
    // It stayed open while the other four still failed: resolved only after they recovered.
    expect(redis.resolvedAt).toBeGreaterThanOrEqual(s(200));
    const crash = all.find((i) => i.rootCauses[0].key === 'instance:shipping/shipping-1');
    expect(crash).toBeDefined();
    expect(crash?.status).toBe('open');
  });

  it('keeps an incident open when its reporters fall silent while failing, and says so', () => {
    // Three services lose their redis at 60 s; at 100 s those three stop reporting for five
    // minutes (the other two report on, healthy), then come back healthy.
    const failing = ['orders', 'billing', 'search'];
    const base = terminus(downBetween(60, 1000, failing));
    const says: Says = (service, at) =>
      failing.includes(service) && at >= s(100) && at < s(400)
        ? null
        : at >= s(400)
          ? terminus(() => 'pass')(service, at)
          : base(service, at);
    const changes = play(new CorrelationEngine(), 560, says);
    const all = incidents(changes);
    expect(all.map((i) => i.rootCauses[0].key)).toEqual(['backend:component://redis']);
    const [inc] = all;
    const resolved = changes.find((c) => c.type === 'resolved');
    expect(resolved?.at).toBeGreaterThan(s(400));
    expect(inc.timeline.map((e) => e.what)).toContainEqual(
      expect.stringMatching(/^lost sight of 3 instances .*stopped reporting while failing/),
    );
  });
  it('reads alert groups as events: an alert absent from the next group is still firing', () => {
    // Six services lose rabbitmq; Alertmanager sends each instance's two alerts in two groups.
    const engine = new CorrelationEngine();
    const group = (service: string, at: number, alertname: string, status: Status): Report =>
      alertReport(service, at, [check(alertname, 'amqp://rabbit-1:5672', status)]);
    const six = ['a', 'b', 'c', 'd', 'e', 'f'];
    const changes: IncidentChange[] = [];
    six.forEach((svc, i) => {
      engine.apply({
        kind: 'report',
        report: group(svc, s(i / 10), 'RabbitMQUnreachable', 'fail'),
      });
      engine.apply({ kind: 'report', report: group(svc, s(2 + i / 10), 'QueueBacklog', 'fail') });
    });
    for (let t = s(1); t <= s(60); t += 1000)
      changes.push(...engine.apply({ kind: 'tick', at: t }));
    const open = engine.openIncidents();
    expect(open.map((i) => i.rootCauses[0].key)).toEqual(['backend:amqp://rabbit-1:5672']);
    expect(open[0].rootCauses[0].summary).toMatch(/^12 of 12 dependents lost it/);
    expect(open[0].rootCauses[0].summary).not.toMatch(/no longer report|stopped reporting/);
    expect(changes.filter((c) => c.type === 'resolved')).toEqual([]);
  });
});
