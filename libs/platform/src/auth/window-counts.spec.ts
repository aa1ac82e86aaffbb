import { WindowCounts } from './window-counts';

/** A store shared by processes, as Redis's INCRBY is: the count after each increment (keys name their window there). */
function sharedStore() {
  const totals = new Map<string, number>();
  return {
    totals,
    sync(process: WindowCounts, currentWindow = 0) {
      const batch = process.take();
      const counts = batch.map(({ window, key, delta }) => {
        const stored = window === 0 ? key : `${window}:${key}`;
        const n = (totals.get(stored) ?? 0) + delta;
        totals.set(stored, n);
        return n;
      });
      process.settle(batch, counts, currentWindow);
    },
  };
}

describe('WindowCounts', () => {
  it('counts one process exactly, synced or not', () => {
    const store = sharedStore();
    const counts = new WindowCounts();
    expect([1, 2, 3].map(() => counts.hit(0, 'k'))).toEqual([1, 2, 3]);
    store.sync(counts);
    expect(store.totals.get('k')).toBe(3);
    expect(counts.hit(0, 'k')).toBe(4);
    expect(counts.hit(0, 'other')).toBe(1);
    store.sync(counts);
    expect(store.totals.get('k')).toBe(4);
    expect(counts.pending).toBe(false);
  });

  it('learns the other processes’ hits at its next sync of the key', () => {
    const store = sharedStore();
    const a = new WindowCounts();
    const b = new WindowCounts();
    for (let i = 0; i < 10; i++) a.hit(0, 'k');
    store.sync(a);
    // b has not synced yet: it sees only its own hit, then the total once it syncs.
    expect(b.hit(0, 'k')).toBe(1);
    store.sync(b);
    expect(b.hit(0, 'k')).toBe(12);
    expect(a.hit(0, 'k')).toBe(11); // a's view is one sync behind b's second hit
    store.sync(b);
    store.sync(a);
    expect(store.totals.get('k')).toBe(13);
    expect(a.hit(0, 'k')).toBe(14);
  });

  it('admits past a limit only what processes count between two syncs', () => {
    const store = sharedStore();
    const limit = 100;
    const processes = [new WindowCounts(), new WindowCounts(), new WindowCounts()];
    const perSync = 7; // requests each process takes in one sync period
    let admitted = 0;
    for (let round = 0; round < 20; round++) {
      for (const p of processes)
        for (let i = 0; i < perSync; i++) if (p.hit(0, 'k') <= limit) admitted++;
      for (const p of processes) store.sync(p);
    }
    expect(admitted).toBeGreaterThanOrEqual(limit);
    expect(admitted).toBeLessThanOrEqual(limit + processes.length * perSync);
    expect(store.totals.get('k')).toBe(20 * 3 * perSync); // refused requests count too
  });

  it('keeps hits counted during a sync in flight, and counts a failed sync locally', () => {
    const counts = new WindowCounts();
    counts.hit(0, 'k');
    counts.hit(0, 'k');
    const batch = counts.take();
    expect(batch).toEqual([{ window: 0, key: 'k', delta: 2 }]);
    expect(counts.hit(0, 'k')).toBe(3); // in flight, still counted
    counts.fail(batch, 0);
    expect(counts.hit(0, 'k')).toBe(4);
    const next = counts.take();
    expect(next).toEqual([{ window: 0, key: 'k', delta: 2 }]);
    counts.settle(next, [2], 0); // a store that lost the first batch never lowers the count
    expect(counts.hit(0, 'k')).toBe(5);
  });

  it('starts each window at zero and forgets a past window once it is synced', () => {
    const store = sharedStore();
    const counts = new WindowCounts();
    counts.hit(0, 'k');
    counts.hit(0, 'k');
    expect(counts.hit(1, 'k')).toBe(1);
    store.sync(counts, 1);
    expect(counts.size).toBe(1);
    expect(counts.hit(1, 'k')).toBe(2);
  });
});
