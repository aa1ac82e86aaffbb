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
 * Bounded: past `capacity` instances the least recently used go (a fleet larger than the cache
 * costs reads again, never memory without end). Pure: no I/O.
 */
export class StateCache {
  private readonly entries = new Map<string, CachedState>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached state of an instance if it is the version the row holds now. */
  current(id: string, version: number): CachedState | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.version !== version) {
      this.entries.delete(id);
      return undefined;
    }
    // Re-inserted: Map order is recency order, oldest first.
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry;
  }

  /** Whether this worker has seen the instance's row (it exists, whatever its version). */
  knows(id: string): boolean {
    return this.entries.has(id);
  }

  /** Records what a committed batch wrote (or read) for an instance. */
  remember(id: string, state: CachedState): void {
    if (this.capacity <= 0) return;
    this.entries.delete(id);
    this.entries.set(id, state);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
