export interface GroupCommitOptions {
  /**
   * The longest a group waits behind a flush in flight before it is flushed beside it (an idle
   * committer flushes at once, whatever this says).
   */
  maxWaitMs: number;
  /** A group reaching this many items is flushed at once. */
  maxItems: number;
  /** A flush slower than this fails its submitters (they answer 503 and the client retries). */
  timeoutMs: number;
}

export class GroupCommitTimeoutError extends Error {}

interface Pending<T> {
  items: T[];
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

/**
 * Group commit: concurrent submitters share one flush, so a thousand single-report requests
 * cost a few durable writes instead of a thousand. A submitter's promise settles only when
 * the flush holding its items has completed (or failed), never before.
 *
 * Adaptive: when no flush is in flight a group is flushed at once (after the submissions of the
 * same event-loop turn joined it), so at low load a report waits for nothing but its own write.
 * While a flush is in flight the next group fills, and is flushed when that flush ends, when it
 * holds `maxItems`, or when its first item has waited `maxWaitMs`; so the busier the process,
 * the bigger the groups, and each flush's fixed cost (a queue job, a worker batch) is shared by
 * more reports.
 */
export class GroupCommitter<T> {
  private pending: Pending<T> = { items: [], waiters: [] };
  /** A flush scheduled for this turn's end (idle) or for `maxWaitMs` (busy). */
  private scheduled: { cancel: () => void } | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly flushGroup: (items: T[]) => Promise<void>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(items: readonly T[]): Promise<void> {
    if (
      this.pending.items.length > 0 &&
      this.pending.items.length + items.length > this.options.maxItems
    )
      this.flushNow();
    return new Promise<void>((resolve, reject) => {
      // One at a time, never push(...items): a spread past ~100,000 arguments throws a RangeError.
      const pending = this.pending.items;
      for (const item of items) pending.push(item);
      this.pending.waiters.push({ resolve, reject });
      if (this.pending.items.length >= this.options.maxItems) this.flushNow();
      else this.scheduled ??= this.inFlight.size === 0 ? this.atTurnEnd() : this.afterMaxWait();
    });
  }

  /** Flushes what is pending and waits for every flush in flight: call before closing the queue. */
  async drain(): Promise<void> {
    // Again while anything is left: a group that filled behind a flush goes when that one ends.
    while (this.pending.items.length > 0 || this.inFlight.size > 0) {
      this.flushNow();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  private atTurnEnd(): { cancel: () => void } {
    const immediate = setImmediate(() => this.flushNow());
    return { cancel: () => clearImmediate(immediate) };
  }

  private afterMaxWait(): { cancel: () => void } {
    const timer = setTimeout(() => this.flushNow(), this.options.maxWaitMs);
    return { cancel: () => clearTimeout(timer) };
  }

  private flushNow(): void {
    this.scheduled?.cancel();
    this.scheduled = null;
    const group = this.pending;
    if (group.items.length === 0) return;
    this.pending = { items: [], waiters: [] };
    const flight = withTimeout(this.flushGroup(group.items), this.options.timeoutMs).then(
      () => group.waiters.forEach((w) => w.resolve()),
      (e: unknown) => group.waiters.forEach((w) => w.reject(e)),
    );
    this.inFlight.add(flight);
    void flight.finally(() => {
      this.inFlight.delete(flight);
      // The group that filled behind this flush goes now, unless another flush is still out.
      if (this.inFlight.size === 0 && this.pending.items.length > 0) this.flushNow();
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
