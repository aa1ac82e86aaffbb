import type { CorrelationEngine } from '../engine/correlation-engine';
import type { CorrelationReport } from '../engine/correlation-report';
import type { IncidentChange } from '../engine/engine.model';

const TICK_MS = 1000;
/**
 * Wall time with nothing received and nothing in flight after which the allowed lateness is
 * waived: the stream has stopped (a replay posted, a fleet cut off), and what it sent so far is
 * all there is to judge.
 */
export const IDLE_AFTER_MS = 5_000;
// A long silence in event time is crossed in at most this many ticks, not one per second.
const MAX_TICKS_PER_GAP = 600;

/** A report's event time for the clock: never later than its receipt, so one reporter with a
 * clock minutes ahead cannot make the whole fleet look silent. */
const eventTimeOf = (report: CorrelationReport): number =>
  Math.min(report.observedAt, report.receivedAt);

export interface FeedOptions {
  /** Event time the clock stays behind the newest report (clients that buffer). */
  allowedLatenessMs: number;
  /**
   * Wall time a report must have been received for before its event time may move the clock:
   * requests sent side by side reach the api a few milliseconds apart but may be a minute apart
   * in event time (a replay posted in parallel), and the later-registered one must not be
   * overtaken. Costs at most this much lag live.
   */
  arrivalGraceMs: number;
}

/**
 * Feeds reports to the engine behind a low watermark, the way stream processors do.
 *
 * Reports reach the correlator out of event-time order: parallel requests, several api and
 * worker processes, batches retried after a Postgres or Redis outage. The engine concludes
 * that an instance is silent from its clock alone, so the clock may pass an event time only
 * once every report up to it has been delivered. `offer` buffers reports; `release(oldest, now)`
 * moves the clock to the low watermark
 *
 *   min(frontier − allowedLateness, oldest in flight − 1 ms)
 *
 * where the frontier is the newest event time among the reports received (by the api, wall
 * clock) at least arrivalGrace before `now`, and `oldest` is the oldest event time still between
 * the api and this feed (see InFlightRegistry), or null when nothing is. Buffered reports at or
 * behind the watermark are applied in event-time order, ticking at least once a second of event
 * time between them, then the clock ticks to the watermark. A report already behind the clock
 * when offered is applied at once: it may re-rank an open incident but, the clock having passed
 * it, cannot make anything look silent. Call release periodically: the frontier also moves as
 * the grace of reports already offered runs out, and once the stream has been idle for
 * IDLE_AFTER_MS the allowed lateness is waived and the clock follows the wall clock, up to just
 * before the engine's next silence deadline (see release).
 *
 * Cost: O(log n) per report for n buffered; memory: the reports within the lateness and grace,
 * and in flight. Pure: the wall clock is an argument.
 */
export class EventTimeFeed {
  private readonly buffer = new ReportHeap();
  /** Event times offered, by the time the api received them: they join the frontier in turn. */
  private readonly arrivals = new ReportHeap();
  private frontier = -Infinity;
  private lastReceivedAt = -Infinity;

  constructor(
    private readonly engine: CorrelationEngine,
    private readonly options: FeedOptions = { allowedLatenessMs: 0, arrivalGraceMs: 0 },
  ) {}

  /** Reports waiting for the watermark. */
  get buffered(): number {
    return this.buffer.size;
  }

  offer(reports: readonly CorrelationReport[]): IncidentChange[] {
    const changes: IncidentChange[] = [];
    for (const report of reports) {
      const at = eventTimeOf(report);
      this.arrivals.push(report, report.receivedAt);
      this.lastReceivedAt = Math.max(this.lastReceivedAt, report.receivedAt);
      if (at <= this.engine.watermark)
        changes.push(...this.engine.apply({ kind: 'report', report }));
      else this.buffer.push(report, at);
    }
    return changes;
  }

  /**
   * Applies what the low watermark allows at wall time `now` (by default every grace is over);
   * `oldestInFlight` is null when nothing is in flight.
   */
  release(oldestInFlight: number | null, now = Infinity): IncidentChange[] {
    while (this.arrivals.size > 0 && this.arrivals.peekAt() <= now - this.options.arrivalGraceMs)
      this.frontier = Math.max(this.frontier, eventTimeOf(this.arrivals.pop().report));
    const idle = oldestInFlight === null && now - this.lastReceivedAt >= IDLE_AFTER_MS;
    let mark = this.frontier - (idle ? 0 : this.options.allowedLatenessMs);
    if (oldestInFlight !== null) mark = Math.min(mark, oldestInFlight - 1);
    // Idle and live: event time follows the wall clock, so that incidents of sources that report
    // only on change (alerts) still wait out their quiet period and resolve. Never up to the next
    // silence deadline: no instance is called silent on the wall clock's word alone.
    if (idle && Number.isFinite(now) && Number.isFinite(this.frontier) && this.buffer.size === 0)
      mark = Math.max(
        mark,
        Math.min(
          this.frontier + (now - this.lastReceivedAt),
          this.engine.nextSilenceDeadline() - 1,
        ),
      );
    const changes: IncidentChange[] = [];
    while (this.buffer.size > 0 && this.buffer.peekAt() <= mark) {
      const { report, at } = this.buffer.pop();
      this.tickUpTo(at, changes);
      changes.push(...this.engine.apply({ kind: 'report', report }));
    }
    if (Number.isFinite(mark) && mark > this.engine.watermark) {
      // A long stretch with nothing buffered in it (a silence) is crossed a second at a time too:
      // in one leap every silence would begin at once, long before the tick that sees it.
      this.tickUpTo(mark, changes);
      changes.push(...this.engine.apply({ kind: 'tick', at: mark }));
    }
    return changes;
  }

  /** Ticks at least once a second of event time from the clock up to (not including) `at`. */
  private tickUpTo(at: number, changes: IncidentChange[]): void {
    const mark = this.engine.watermark;
    // A fresh engine has no clock yet: start it just before the first report, or a first batch
    // holding a whole outage would reach it with no tick inside and show only its end.
    if (!Number.isFinite(mark)) {
      changes.push(...this.engine.apply({ kind: 'tick', at: at - 1 }));
      return;
    }
    if (at <= mark + TICK_MS) return;
    const step = Math.max(TICK_MS, Math.ceil((at - mark) / MAX_TICKS_PER_GAP));
    for (let t = mark + step; t < at; t += step)
      changes.push(...this.engine.apply({ kind: 'tick', at: t }));
  }
}

/**
 * Feeds a set of reports all at once, nothing in flight and no lateness: the replay of stored
 * history when a correlator takes over, and tests.
 */
export function feedInEventTime(
  engine: CorrelationEngine,
  reports: readonly CorrelationReport[],
): IncidentChange[] {
  const feed = new EventTimeFeed(engine);
  return [...feed.offer(reports), ...feed.release(null)];
}

/** A binary min-heap of reports by a time (event time, or receipt); ties keep arrival order. */
class ReportHeap {
  private readonly items: { report: CorrelationReport; at: number; seq: number }[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  peekAt(): number {
    return this.items[0].at;
  }

  push(report: CorrelationReport, at: number): void {
    const items = this.items;
    items.push({ report, at, seq: this.seq++ });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): { report: CorrelationReport; at: number } {
    const items = this.items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(l, m)) m = l;
        if (r < items.length && this.less(r, m)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const x = this.items[a];
    const y = this.items[b];
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }
}
