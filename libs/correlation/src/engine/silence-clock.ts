import type { InstanceRec } from './records';

interface Deadline {
  at: number;
  inst: InstanceRec;
  /** The instance's seq when scheduled: a newer report makes the deadline obsolete. */
  seq: number;
  stage: 'overdue' | 'stale';
}

export interface SilenceTransition {
  inst: InstanceRec;
  stage: 'overdue' | 'stale';
  at: number;
}

/**
 * Event-time deadlines for silence: when each instance becomes overdue (missed a report) and
 * then stale (missed staleIntervals of its own intervals).
 *
 * Contract: call schedule(inst, interval) after every applied report; advance(now) returns,
 * in deadline order, the transitions whose time has come and whose instance has not reported
 * since. Deadlines are computed from the instance's own learned interval at scheduling time.
 * Obsolete entries are dropped lazily when they surface, so the heap holds at most about one
 * entry per report in the last overdueFactor intervals.
 * Complexity: O(log n) per schedule and per transition; advance with nothing due is O(1).
 */
export class SilenceClock {
  private readonly heap: Deadline[] = [];

  constructor(
    private readonly overdueFactor: number,
    private readonly staleIntervals: number,
  ) {}

  get pending(): number {
    return this.heap.length;
  }

  /** The earliest deadline still current (obsolete ones on top are dropped); Infinity when none. */
  nextAt(): number {
    while (this.heap.length > 0 && this.heap[0].seq !== this.heap[0].inst.seq) this.pop();
    return this.heap.length > 0 ? this.heap[0].at : Infinity;
  }

  schedule(inst: InstanceRec, intervalMs: number): void {
    this.push({
      at: inst.lastSeen + this.overdueFactor * intervalMs,
      inst,
      seq: inst.seq,
      stage: 'overdue',
    });
  }

  advance(now: number, intervalOf: (inst: InstanceRec) => number): SilenceTransition[] {
    const out: SilenceTransition[] = [];
    while (this.heap.length > 0 && this.heap[0].at <= now) {
      const d = this.pop();
      if (d.seq !== d.inst.seq) continue;
      out.push({ inst: d.inst, stage: d.stage, at: d.at });
      if (d.stage === 'overdue')
        this.push({
          at: d.inst.lastSeen + this.staleIntervals * intervalOf(d.inst),
          inst: d.inst,
          seq: d.seq,
          stage: 'stale',
        });
    }
    return out;
  }

  private push(d: Deadline): void {
    const h = this.heap;
    h.push(d);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent].at <= d.at) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = d;
  }

  private pop(): Deadline {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Deadline;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const child = r < h.length && h[r].at < h[l].at ? r : l;
        if (h[child].at >= last.at) break;
        h[i] = h[child];
        i = child;
      }
      h[i] = last;
    }
    return top;
  }
}
