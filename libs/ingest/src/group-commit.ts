export interface GroupCommitOptions {
  /** How long the first item of a group waits for others before the group is flushed. */
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
 */
export class GroupCommitter<T> {
  private pending: Pending<T> = { items: [], waiters: [] };
  private timer: NodeJS.Timeout | null = null;
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
      else this.timer ??= setTimeout(() => this.flushNow(), this.options.maxWaitMs);
    });
  }

  /** Flushes what is pending and waits for every flush in flight: call before closing the queue. */
  async drain(): Promise<void> {
    this.flushNow();
    await Promise.allSettled([...this.inFlight]);
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const group = this.pending;
    if (group.items.length === 0) return;
    this.pending = { items: [], waiters: [] };
    const flight = withTimeout(this.flushGroup(group.items), this.options.timeoutMs).then(
      () => group.waiters.forEach((w) => w.resolve()),
      (e: unknown) => group.waiters.forEach((w) => w.reject(e)),
    );
    this.inFlight.add(flight);
    void flight.finally(() => this.inFlight.delete(flight));
  }
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GroupCommitTimeoutError(`not durable after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
