import type { EngineEventLike } from './engine-event';
import { Prng } from './prng';

export interface DeliveryOrderOptions {
  /** The most a report may be held back, in ms of the stream's clock (e.g. 60,000). */
  maxSkewMs: number;
  seed: number;
}

/**
 * Re-delivers a played scenario out of order, the way parallel ingest does: several workers
 * commit batches side by side, so the correlation leader receives the reports of different
 * instances out of step, while each instance's own reports (one batch after another) keep their
 * order.
 *
 * Reports: each is held back a delay drawn uniformly from [0, maxSkewMs] (seeded), on the
 * stream's clock: its receivedAt, which is its observedAt except for reports a scenario already
 * delivers late. An instance's report is never released before the one it sent earlier (its
 * release is the later of its own and its predecessor's), so every report is released within
 * [receivedAt, receivedAt + maxSkewMs], and a report overtaken by another instance's was received
 * at most maxSkewMs before it. Reports are passed on untouched (receivedAt stays the time the API
 * received them; the reordering happens downstream of it).
 *
 * Ticks stay where the wall clock puts them: the leader ticks every second whatever the queues
 * hold, so a tick at T is emitted after every report released at or before T and before any
 * released later. A report held back past T therefore reaches the engine after the tick at T,
 * exactly as a slow batch would. Alias events are control events too: they keep their place
 * among the ticks (the player emits them before everything). Nothing is dropped or duplicated.
 *
 * Deterministic in the seed; with maxSkewMs 0 the stream comes back unchanged (for a stream
 * whose reports are in receivedAt order, as playScenario's are). O(n log n).
 */
export function deliverOutOfOrder(
  events: readonly EngineEventLike[],
  options: DeliveryOrderOptions,
): EngineEventLike[] {
  if (!Number.isFinite(options.maxSkewMs) || options.maxSkewMs < 0)
    throw new RangeError('maxSkewMs must be a finite number >= 0');
  const rng = new Prng(options.seed).fork('delivery-order');
  const skew = Math.floor(options.maxSkewMs);
  const lastRelease = new Map<string, number>();
  const pending = new ReleaseQueue();
  const out: EngineEventLike[] = [];
  events.forEach((event, index) => {
    if (event.kind === 'report') {
      const r = event.report;
      const instance = `${r.service}/${r.instance}`;
      const release = Math.max(
        r.receivedAt + rng.int(0, skew),
        lastRelease.get(instance) ?? -Infinity,
      );
      lastRelease.set(instance, release);
      pending.push({ release, index, event });
      return;
    }
    if (event.kind === 'tick')
      for (let next = pending.peek(); next && next.release <= event.at; next = pending.peek())
        out.push((pending.pop() as Held).event);
    out.push(event);
  });
  for (let next = pending.pop(); next; next = pending.pop()) out.push(next.event);
  return out;
}

interface Held {
  release: number;
  index: number;
  event: EngineEventLike;
}

/** A binary min-heap on (release, index): ties keep the input order. */
class ReleaseQueue {
  private readonly heap: Held[] = [];

  peek(): Held | undefined {
    return this.heap[0];
  }

  push(h: Held): void {
    const a = this.heap;
    a.push(h);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!first(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  pop(): Held | undefined {
    const a = this.heap;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && first(a[l], a[m])) m = l;
        if (r < a.length && first(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

function first(a: Held, b: Held): boolean {
  return a.release < b.release || (a.release === b.release && a.index < b.index);
}
