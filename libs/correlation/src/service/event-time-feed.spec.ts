import type { Report } from '@faultline/reports';
import {
  buildScenario,
  deliverOutOfOrder,
  type EngineEventLike,
  type FaultClass,
  playScenario,
} from '@faultline/simulator';

import { CorrelationEngine } from '../engine/correlation-engine';
import type { Incident, IncidentChange } from '../engine/engine.model';
import { EventTimeFeed, feedInEventTime, IDLE_AFTER_MS } from './event-time-feed';

/** The pipeline between accepting a report and delivering it, as the in-flight registry sees it. */
class InFlight {
  private readonly heap: { at: number; report: Report }[] = [];
  private readonly delivered = new Set<Report>();

  accept(report: Report): void {
    this.heap.push({ at: Math.min(report.observedAt, report.receivedAt), report });
    this.heap.sort((a, b) => a.at - b.at);
  }

  deliver(report: Report): void {
    this.delivered.add(report);
  }

  oldest(): number | null {
    while (this.heap.length > 0 && this.delivered.has(this.heap[0].report)) this.heap.shift();
    return this.heap[0]?.at ?? null;
  }
}

/**
 * Plays a scenario through an EventTimeFeed, delivered in order or out of order; the tick
 * events stand for the correlator's wall clock. With `tracked`, the feed is told the oldest
 * event time accepted (received) but not yet delivered, as the InFlightRegistry tells it.
 */
function play(faultClass: FaultClass, seed: number, maxSkewMs: number, tracked: boolean) {
  const scenario = buildScenario({ faultClass, seed, instances: 120 });
  const played: EngineEventLike[] = [];
  playScenario(scenario, (e) => played.push(e));
  const events = deliverOutOfOrder(played, { maxSkewMs, seed });
  const byReceipt = events
    .filter((e): e is Extract<EngineEventLike, { kind: 'report' }> => e.kind === 'report')
    .map((e) => e.report)
    .sort((a, b) => a.receivedAt - b.receivedAt);
  const engine = new CorrelationEngine();
  const feed = new EventTimeFeed(engine);
  const inFlight = new InFlight();
  const changes: IncidentChange[] = [];
  let accepted = 0;
  for (const e of events) {
    if (e.kind === 'alias' || e.kind === 'change') engine.apply(e);
    else if (e.kind === 'report') {
      inFlight.deliver(e.report);
      changes.push(...feed.offer([e.report]));
    } else {
      while (accepted < byReceipt.length && byReceipt[accepted].receivedAt <= e.at)
        inFlight.accept(byReceipt[accepted++]);
      changes.push(...feed.release(tracked ? inFlight.oldest() : null));
    }
  }
  const incidents = new Map<string, Incident>();
  for (const c of changes) incidents.set(c.incident.id, c.incident);
  return [...incidents.values()].map((i) => ({ top: i.rootCauses[0].key, openedAt: i.openedAt }));
}

/** A healthy report of instance `instance` observed at `at`, received by the api at `receivedAt`. */
const report = (instance: string, at: number, receivedAt = at): Report => ({
  id: null,
  service: 'api',
  instance,
  host: instance,
  labels: {},
  observedAt: at,
  receivedAt,
  status: 'pass',
  checks: [],
});

describe('EventTimeFeed', () => {
  it.each<[FaultClass, number]>([
    ['host-down', 1],
    ['zone-outage', 2],
    ['backend-down', 3],
  ])(
    '%s (seed %i): reports up to 60 s out of order give the in-order incidents',
    (faultClass, seed) => {
      const inOrder = play(faultClass, seed, 0, true);
      const outOfOrder = play(faultClass, seed, 60_000, true);
      expect(outOfOrder.map((i) => i.top).sort()).toEqual(inOrder.map((i) => i.top).sort());
      for (const i of outOfOrder) {
        const twin = inOrder.find((j) => j.top === i.top)!;
        expect(Math.abs(i.openedAt - twin.openedAt)).toBeLessThanOrEqual(10_000);
      }
    },
  );

  it('without the low watermark, the same delivery makes instances look silent', () => {
    const inOrder = play('backend-down', 3, 0, true);
    const untracked = play('backend-down', 3, 60_000, false);
    expect(untracked.length).toBeGreaterThan(inOrder.length);
  });

  it('applies a report behind the clock at once, and ticks past the allowed lateness only when idle', () => {
    const engine = new CorrelationEngine();
    const feed = new EventTimeFeed(engine, { allowedLatenessMs: 5_000, arrivalGraceMs: 0 });
    feed.offer([report('a', 100_000), report('b', 90_000)]);
    feed.release(null, 100_100);
    expect(engine.watermark).toBe(95_000);
    expect(feed.buffered).toBe(1);
    feed.offer([report('c', 80_000)]);
    expect(feed.buffered).toBe(1);
    feed.release(92_000, 100_200);
    expect(engine.watermark).toBe(95_000);
    // Nothing received for IDLE_AFTER_MS and nothing in flight: the stream stopped, judge it all.
    feed.release(null, 100_000 + IDLE_AFTER_MS);
    expect(engine.watermark).toBe(100_000);
    expect(feed.buffered).toBe(0);
  });

  it('lets a report move the clock only once the api has held it for the arrival grace', () => {
    const engine = new CorrelationEngine();
    const feed = new EventTimeFeed(engine, { allowedLatenessMs: 0, arrivalGraceMs: 500 });
    // A replay posted in parallel: a request a minute ahead in event time lands first.
    feed.offer([report('a', 100_000, 1_000_000)]);
    feed.release(null, 1_000_400);
    expect(engine.watermark).toBe(-Infinity);
    // The request beside it, a minute behind, lands 300 ms later: still before the clock moved.
    feed.offer([report('b', 40_000, 1_000_300)]);
    expect(feed.buffered).toBe(2);
    feed.release(null, 1_000_600);
    expect(engine.watermark).toBe(100_000);
    expect(feed.buffered).toBe(0);
  });

  it('judges a whole outage delivered to a fresh engine in one batch', () => {
    // The contract check's outage: 12 dependents lose a broker for 3 minutes, all posted at once.
    const t0 = Date.UTC(2026, 11, 5, 4, 0, 0);
    const reports: Report[] = [];
    for (let tick = 0; tick < 40; tick++)
      for (let i = 0; i < 12; i++) {
        const at = t0 + tick * 10_000 + i * 50;
        reports.push({
          id: null,
          service: `svc${i % 4}`,
          instance: `i${i}`,
          host: `h${i}`,
          labels: { zone: 'z1' },
          observedAt: at,
          receivedAt: t0 + 3_600_000,
          status: 'pass',
          checks: [
            {
              name: 'rabbitmq',
              target: 'amqp://rabbit-1:5672',
              targetKey: 'backend:amqp://rabbit-1:5672',
              status: tick >= 12 && tick < 30 ? 'fail' : 'pass',
              latencyMs: null,
              output: null,
            },
          ],
        });
      }
    const changes = feedInEventTime(new CorrelationEngine(), reports);
    expect(changes.filter((c) => c.type !== 'updated').map((c) => c.type)).toEqual([
      'opened',
      'resolved',
    ]);
  });

  it('crosses a silence a second at a time, however far the lateness lets the clock leap', () => {
    // The whole fleet goes quiet, then resumes; with a minute of lateness the clock leaps over
    // the quiet stretch only once reports resume. Judged in one leap, each silence would seem to
    // have begun long before it was seen, and the cut would read as every zone at once.
    const scenario = buildScenario({ faultClass: 'everything-silent', seed: 1, instances: 120 });
    const engine = new CorrelationEngine();
    const feed = new EventTimeFeed(engine, { allowedLatenessMs: 60_000, arrivalGraceMs: 0 });
    const changes: IncidentChange[] = [];
    playScenario(scenario, (e) => {
      if (e.kind === 'alias' || e.kind === 'change') engine.apply(e);
      else if (e.kind === 'report') changes.push(...feed.offer([e.report]));
      else changes.push(...feed.release(null, e.at));
    });
    const opened = changes
      .filter((c) => c.type === 'opened')
      .map((c) => c.incident.rootCauses[0].key);
    expect(opened).toEqual(['backend:faultline://intake']);
  });
  it('follows the wall clock when idle, so alert-only incidents resolve, but never into a silence', () => {
    const engine = new CorrelationEngine({ quietPeriodMs: 2_000 });
    const feed = new EventTimeFeed(engine, { allowedLatenessMs: 0, arrivalGraceMs: 0 });
    const alert = (service: string, at: number, status: 'fail' | 'pass'): Report => ({
      ...report(`${service}-1`, at),
      service,
      status,
      checks: [
        {
          name: 'RabbitMQUnreachable',
          target: 'amqp://rabbit-1:5672',
          targetKey: 'backend:amqp://rabbit-1:5672',
          status,
          latencyMs: null,
          output: null,
        },
      ],
      periodic: false,
    });
    const services = ['a', 'b', 'c', 'd', 'e', 'f'];
    const changes: IncidentChange[] = [];
    changes.push(...feed.offer(services.map((svc, i) => alert(svc, 100_000 + i, 'fail'))));
    changes.push(...feed.release(null, 100_100));
    expect(changes.map((c) => c.type)).toEqual(['opened']);
    changes.push(...feed.offer(services.map((svc, i) => alert(svc, 130_000 + i, 'pass'))));
    // The last alerts are in; no report will come again. Wall time alone ends the quiet period.
    for (let now = 130_100; now <= 150_000; now += 1000) changes.push(...feed.release(null, now));
    expect(changes.map((c) => c.type)).toContain('resolved');
    expect(engine.watermark).toBeGreaterThan(140_000);

    // A periodic reporter beside them: the wall clock stops short of its first missed report.
    const watched = new CorrelationEngine();
    const beside = new EventTimeFeed(watched, { allowedLatenessMs: 0, arrivalGraceMs: 0 });
    beside.offer([report('web-1', 100_000), report('web-1', 110_000)]);
    for (let now = 110_000; now <= 200_000; now += 1000) beside.release(null, now);
    expect(watched.watermark).toBeLessThan(110_000 + 1.1 * 10_000);
    expect(watched.watermark).toBeGreaterThan(110_000);
    expect(watched.stats().symptoms).toBe(0);
  });
});
