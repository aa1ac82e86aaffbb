import { GroupCommitter, GroupCommitTimeoutError } from './group-commit';

/** A flush that completes only when told: `release(i)` ends the i-th flush. */
function gatedFlushes() {
  const flushed: number[][] = [];
  const gates: (() => void)[] = [];
  const flush = (items: number[]) => {
    flushed.push(items);
    return new Promise<void>((resolve) => gates.push(resolve));
  };
  return { flushed, flush, release: (i: number) => gates[i]() };
}

/** Lets every callback of this turn (setImmediate included) run. */
const nextTurn = () => new Promise((r) => setImmediate(r));

describe('GroupCommitter', () => {
  it('shares one flush between concurrent submitters and settles them only after it', async () => {
    const { flushed, flush, release } = gatedFlushes();
    const committer = new GroupCommitter<number>(flush, {
      maxWaitMs: 5,
      maxItems: 100,
      timeoutMs: 1000,
    });
    let settled = 0;
    const all = [committer.submit([1]), committer.submit([2, 3]), committer.submit([4])].map((p) =>
      p.then(() => settled++),
    );
    await nextTurn();
    expect(flushed).toEqual([[1, 2, 3, 4]]);
    await nextTurn();
    expect(settled).toBe(0);
    release(0);
    await Promise.all(all);
    expect(settled).toBe(3);
  });

  it('flushes at once when idle: a lone report does not wait out maxWaitMs', async () => {
    const flushed: number[][] = [];
    const committer = new GroupCommitter<number>(
      (items) => {
        flushed.push(items);
        return Promise.resolve();
      },
      // Were the lone submission to wait for the window, the test would time out.
      { maxWaitMs: 600_000, maxItems: 100, timeoutMs: 1000 },
    );
    await committer.submit([1]);
    expect(flushed).toEqual([[1]]);
  });

  it('when busy, gathers a group over several turns for maxWaitMs', async () => {
    const flushed: number[][] = [];
    const committer = new GroupCommitter<number>(
      (items) => {
        flushed.push(items);
        return Promise.resolve();
      },
      { maxWaitMs: 30, maxItems: 100, timeoutMs: 1000 },
    );
    await committer.submit([1]); // idle: at once
    const second = committer.submit([2]); // a flush began just now: busy
    await nextTurn();
    const third = committer.submit([3]);
    await Promise.all([second, third]);
    expect(flushed).toEqual([[1], [2, 3]]);
  });

  it('while a flush is in flight, lets the next group fill and flushes it when that one ends', async () => {
    const { flushed, flush, release } = gatedFlushes();
    const committer = new GroupCommitter<number>(flush, {
      maxWaitMs: 1,
      maxBehindMs: 600_000,
      maxItems: 100,
      timeoutMs: 60_000,
    });
    const first = committer.submit([1]);
    await nextTurn();
    expect(flushed).toEqual([[1]]);
    const behind = [committer.submit([2]), committer.submit([3, 4])];
    await nextTurn();
    const later = committer.submit([5]);
    await new Promise((r) => setTimeout(r, 10)); // past maxWaitMs, the first still in flight
    expect(flushed).toEqual([[1]]);
    release(0);
    await first;
    await nextTurn();
    expect(flushed).toEqual([[1], [2, 3, 4, 5]]);
    release(1);
    await Promise.all([...behind, later]);
  });

  it('flushes a full group beside the one in flight, and one that waited maxBehindMs behind it', async () => {
    const { flushed, flush, release } = gatedFlushes();
    const committer = new GroupCommitter<number>(flush, {
      maxWaitMs: 1,
      maxBehindMs: 5,
      maxItems: 3,
      timeoutMs: 60_000,
    });
    const first = committer.submit([1]);
    await nextTurn();
    const full = committer.submit([2, 3, 4]);
    expect(flushed).toEqual([[1], [2, 3, 4]]);
    release(1);
    await full; // settled on its own flush, the first still in flight
    const waited = committer.submit([5]);
    await new Promise((r) => setTimeout(r, 30));
    expect(flushed).toEqual([[1], [2, 3, 4], [5]]);
    release(2);
    await waited;
    release(0);
    await first;
  });

  it('flushes at once when a group is full, and never splits one submission', async () => {
    const flushed: number[][] = [];
    const committer = new GroupCommitter<number>(
      (items) => {
        flushed.push(items);
        return Promise.resolve();
      },
      {
        maxWaitMs: 10_000,
        maxItems: 3,
        timeoutMs: 1000,
      },
    );
    await Promise.all([committer.submit([1, 2]), committer.submit([3, 4, 5])]);
    expect(flushed).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('fails every submitter of a failed or slow flush', async () => {
    const failing = new GroupCommitter<number>(
      async () => Promise.reject(new Error('redis down')),
      { maxWaitMs: 1, maxItems: 10, timeoutMs: 1000 },
    );
    await expect(
      Promise.allSettled([failing.submit([1]), failing.submit([2])]),
    ).resolves.toMatchObject([
      { status: 'rejected', reason: new Error('redis down') },
      { status: 'rejected', reason: new Error('redis down') },
    ]);
    const slow = new GroupCommitter<number>(() => new Promise(() => undefined), {
      maxWaitMs: 1,
      maxItems: 10,
      timeoutMs: 20,
    });
    await expect(slow.submit([1])).rejects.toBeInstanceOf(GroupCommitTimeoutError);
  });

  it('drain flushes what is pending, the group waiting behind a flush too, and waits for them', async () => {
    const flushed: number[][] = [];
    const committer = new GroupCommitter<number>(
      async (items) => {
        await new Promise((r) => setTimeout(r, 10));
        flushed.push(items);
      },
      { maxWaitMs: 1, maxBehindMs: 600_000, maxItems: 100, timeoutMs: 1000 },
    );
    const first = committer.submit([7]);
    await nextTurn(); // in flight
    const behind = committer.submit([8]);
    await committer.drain();
    expect(flushed).toEqual([[7], [8]]);
    await Promise.all([first, behind]);
  });

  it('takes a submission of any size (no argument spread: 500,000 items do not throw)', async () => {
    const flushed: number[] = [];
    const committer = new GroupCommitter<number>(
      (items) => {
        flushed.push(items.length);
        return Promise.resolve();
      },
      { maxWaitMs: 5, maxItems: 1000, timeoutMs: 1000 },
    );
    await committer.submit([1]);
    const many = Array.from({ length: 500_000 }, (_, i) => i);
    await expect(Promise.all([committer.submit([0]), committer.submit(many)])).resolves.toEqual([
      undefined,
      undefined,
    ]);
    expect(flushed).toEqual([1, 1, 500_000]);
  });
});
