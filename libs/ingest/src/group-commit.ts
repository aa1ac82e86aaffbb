export interface GroupCommitOptions {
  /**
   * While busy, how long a group gathers items (from its first) before it is flushed: the
   * latency a submitter may pay for sharing. An idle committer (no flush in flight, none begun
   * within this time) flushes at once.
   */
  maxWaitMs: number;
  /** A group reaching this many items is flushed at once. */
  maxItems: number;
  /** A flush slower than this fails its submitters (they answer 503 and the client retries). */
  timeoutMs: number;
  /**
   * The longest a group waits behind a flush still in flight before it is flushed beside it
   * (default 10 × maxWaitMs, at least 100 ms): a slow write holds the next group back only so long.
   */
  maxBehindMs?: number;
}

export class GroupCommitTimeoutError extends Error {}

interface Pending<T> {
  items: T[];
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
  /** When its first item came (ms). */
  since: number;
}

/**
 * Group commit: concurrent submitters share one flush, so a thousand single-report requests
 * cost a few durable writes instead of a thousand. A submitter's promise settles only when
 * the flush holding its items has completed (or failed), never before.
 *
 * Adaptive. Idle (no flush in flight, none begun within `maxWaitMs`): a group is flushed as
 * soon as the submissions of the current event-loop turn joined it, so a lone report waits for
 * nothing but its own write. Busy: a group gathers for `maxWaitMs`, and then also until the
 * flush in flight ends (at most `maxBehindMs`): one flush at a time, so the slower the writes
 * or the busier the process, the bigger the groups, and each flush's fixed cost (a queue job,
 * a worker batch) is shared by more reports. A group of `maxItems` is flushed at once.
 */
export class GroupCommitter<T> {
  private pending: Pending<T> = { items: [], waiters: [], since: 0 };
  /** The pending group's next check: at this turn's end (idle) or a timer (busy). */
  private scheduled: { cancel: () => void } | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private lastFlushAt = -Infinity;
  private readonly maxBehindMs: number;

  constructor(
    private readonly flushGroup: (items: T[]) => Promise<void>,
    private readonly options: GroupCommitOptions,
  ) {
    this.maxBehindMs = options.maxBehindMs ?? Math.max(100, 10 * options.maxWaitMs);
  }

  submit(items: readonly T[]): Promise<void> {
    if (
      this.pending.items.length > 0 &&
      this.pending.items.length + items.length > this.options.maxItems
    )
      this.flushNow();
    return new Promise<void>((resolve, reject) => {
      const group = this.pending;
      if (group.items.length === 0) group.since = Date.now();
      // One at a time, never push(...items): a spread past ~100,000 arguments throws a RangeError.
      for (const item of items) group.items.push(item);
      group.waiters.push({ resolve, reject });
      if (group.items.length >= this.options.maxItems) this.flushNow();
      else this.scheduled ??= this.schedule(group.since);
    });
  }

  /** Flushes what is pending and waits for every flush in flight: call before closing the queue. */
  async drain(): Promise<void> {
    // Again while anything is left: a group gathering behind a flush goes when that one ends.
    while (this.pending.items.length > 0 || this.inFlight.size > 0) {
      this.flushNow();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  private schedule(since: number): { cancel: () => void } {
    if (this.inFlight.size === 0 && since - this.lastFlushAt >= this.options.maxWaitMs) {
      const immediate = setImmediate(() => this.flushNow());
      return { cancel: () => clearImmediate(immediate) };
    }
    const timer = setTimeout(() => this.due(), this.options.maxWaitMs);
    return { cancel: () => clearTimeout(timer) };
  }

  /** The pending group has gathered for maxWaitMs: it goes now, or when the flush in flight ends. */
  private due(): void {
    this.scheduled = null;
    if (this.inFlight.size === 0) return this.flushNow();
    const behindFor = this.pending.since + this.maxBehindMs - Date.now();
    const timer = setTimeout(() => this.flushNow(), Math.max(0, behindFor));
    this.scheduled = { cancel: () => clearTimeout(timer) };
  }

  private flushNow(): void {
    this.scheduled?.cancel();
    this.scheduled = null;
    const group = this.pending;
    if (group.items.length === 0) return;
    this.pending = { items: [], waiters: [], since: 0 };
    this.lastFlushAt = Date.now();
    const flight = withTimeout(this.flushGroup(group.items), this.options.timeoutMs).then(
      () => group.waiters.forEach((w) => w.resolve()),
      (e: unknown) => group.waiters.forEach((w) => w.reject(e)),
    );
    this.inFlight.add(flight);
    void flight.finally(() => {
      this.inFlight.delete(flight);
      // The group that gathered behind this flush goes now if it waited long enough.
      if (
        this.inFlight.size === 0 &&
        this.pending.items.length > 0 &&
        Date.now() - this.pending.since >= this.options.maxWaitMs
      )
        this.flushNow();
    });
  }
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GroupCommitTimeoutError(`not durable after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
