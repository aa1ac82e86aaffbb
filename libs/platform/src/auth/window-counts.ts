/**
 * Request counts per key and fixed window, kept in this process and reconciled with a store
 * shared by every process (Redis) in batches, so that counting a request costs no round trip.
 *
 * Each key's estimate is `shared + sending + unsynced`: the store's count as last seen (which
 * includes every hit this process sent before), the hits of the batch in flight, and the hits
 * counted here since. A sync sends each key's unsynced hits as one increment and takes the
 * store's answer as the new `shared`.
 *
 * Contract: with one process the estimate is exact. With several, a process learns of the
 * others' hits on a key only when it syncs that key, which it does within one sync period of
 * its own first unsynced hit; so per window each process admits at most the requests it
 * receives in one sync period (plus a round trip) beyond the limit: over-admission is bounded
 * by processes × sync period × request rate (and never exceeds the limit per process).
 *
 * Pure: the caller owns the clock, the timer and the store.
 */

interface Entry {
  /** The store's count at the last sync of this key (this process's synced hits included). */
  shared: number;
  /** Hits sent in the sync now in flight. */
  sending: number;
  /** Hits counted here since. */
  unsynced: number;
}

/** One key's increment for the store: the window it belongs to, and how many hits. */
export interface PendingIncrement {
  window: number;
  key: string;
  delta: number;
}

export class WindowCounts {
  /** window index → key → entry; windows older than the current one go once synced. */
  private readonly windows = new Map<number, Map<string, Entry>>();
  /** Entries with unsynced hits, so a sync never walks the idle keys. */
  private dirty: { window: number; key: string; entry: Entry }[] = [];

  /** Counts one hit on `key` in `window`; returns the estimate including it. */
  hit(window: number, key: string): number {
    let keys = this.windows.get(window);
    if (!keys) {
      keys = new Map();
      this.windows.set(window, keys);
    }
    let entry = keys.get(key);
    if (!entry) {
      entry = { shared: 0, sending: 0, unsynced: 0 };
      keys.set(key, entry);
    }
    if (entry.unsynced === 0) this.dirty.push({ window, key, entry });
    entry.unsynced++;
    return entry.shared + entry.sending + entry.unsynced;
  }

  /** Whether any hit waits for a sync. */
  get pending(): boolean {
    return this.dirty.length > 0;
  }

  /**
   * Starts a sync: the increments to send, now counted as in flight. Call `settle` with the
   * store's answers (or `fail`) before the next `take`.
   */
  take(): PendingIncrement[] {
    const batch = this.dirty;
    this.dirty = [];
    return batch.map(({ window, key, entry }) => {
      entry.sending = entry.unsynced;
      entry.unsynced = 0;
      return { window, key, delta: entry.sending };
    });
  }

  /**
   * Ends a sync: `counts[i]` is the store's count after the i-th increment of `batch`. Windows
   * before `currentWindow` with nothing left to send are dropped.
   */
  settle(batch: readonly PendingIncrement[], counts: readonly number[], currentWindow: number) {
    batch.forEach(({ window, key }, i) => {
      const entry = this.windows.get(window)?.get(key);
      if (!entry) return;
      entry.shared = Math.max(counts[i], entry.shared + entry.sending);
      entry.sending = 0;
    });
    this.dropBefore(currentWindow);
  }

  /** Ends a sync that did not reach the store: its hits stay counted here. */
  fail(batch: readonly PendingIncrement[], currentWindow: number): void {
    for (const { window, key } of batch) {
      const entry = this.windows.get(window)?.get(key);
      if (!entry) continue;
      entry.shared += entry.sending;
      entry.sending = 0;
    }
    this.dropBefore(currentWindow);
  }

  /** Keys held, over all windows (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const keys of this.windows.values()) n += keys.size;
    return n;
  }

  private dropBefore(currentWindow: number): void {
    const waiting = new Set(this.dirty.map((d) => d.window));
    for (const window of this.windows.keys())
      if (window < currentWindow && !waiting.has(window)) this.windows.delete(window);
  }
}
