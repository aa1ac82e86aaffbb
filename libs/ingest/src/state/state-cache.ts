import type { CheckState, InstanceState, StoredState } from './state.model';

/** An instance's state as a batch committed it, and the version that batch stamped on its row. */
export interface CachedState extends StoredState {
  version: number;
  instance: InstanceState;
  checks: Map<string, CheckState>;
}

/**
 * What this worker last committed for each instance it wrote, so the next batch of that instance
 * reads back only the row's `state_version` (under the row lock it takes anyway) instead of the
 * instance and its checks. A version other than the cached one — another worker, a replay
 * elsewhere, a restart — means the copy is stale and the batch reads the rows as before. Only
 * the ingest writer changes these rows, and it always stamps a new version.
 *
 * Bounded by `capacity` instances. A fleet reports round-robin, so evicting the least recently
 * used would evict exactly the instance due next and never hit once the fleet outgrows the
 * cache; instead a full cache admits no newcomer, and instances idle for `idleMs` (gone, or
 * moved to another worker) make room. A fleet of twice the capacity then hits half the time.
 * Pure: no I/O; time is passed in.
 */
export class StateCache {
  private readonly entries = new Map<string, { state: CachedState; usedAt: number }>();
  private lastSweep = 0;

  constructor(
    private readonly capacity: number,
    private readonly idleMs = 10 * 60_000,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached state of an instance if it is the version the row holds now. */
  current(id: string, version: number, now = Date.now()): CachedState | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.state.version !== version) {
      this.entries.delete(id);
      return undefined;
    }
    entry.usedAt = now;
    return entry.state;
  }

  /** Whether this worker has seen the instance's row (it exists, whatever its version). */
  knows(id: string): boolean {
    return this.entries.has(id);
  }

  /** Records what a committed batch wrote (or read) for an instance, if there is room. */
  remember(id: string, state: CachedState, now = Date.now()): void {
    const entry = this.entries.get(id);
    if (entry) {
      entry.state = state;
      entry.usedAt = now;
      return;
    }
    if (this.entries.size >= this.capacity && !this.sweep(now)) return;
    this.entries.set(id, { state, usedAt: now });
  }

  clear(): void {
    this.entries.clear();
  }

  /** Drops instances idle for idleMs (at most once a minute); true when that made room. */
  private sweep(now: number): boolean {
    if (now - this.lastSweep < 60_000) return false;
    this.lastSweep = now;
    for (const [id, entry] of this.entries)
      if (now - entry.usedAt > this.idleMs) this.entries.delete(id);
    return this.entries.size < this.capacity;
  }
}
