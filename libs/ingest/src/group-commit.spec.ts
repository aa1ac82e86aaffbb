import { GroupCommitter, GroupCommitTimeoutError } from './group-commit';

describe('GroupCommitter', () => {
  it('shares one flush between concurrent submitters and settles them only after it', async () => {
    const flushed: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const committer = new GroupCommitter<number>(
      async (items) => {
        flushed.push(items);
        await gate;
      },
      { maxWaitMs: 5, maxItems: 100, timeoutMs: 1000 },
    );
    let settled = 0;
    const all = [committer.submit([1]), committer.submit([2, 3]), committer.submit([4])].map((p) =>
      p.then(() => settled++),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(flushed).toEqual([[1, 2, 3, 4]]);
    expect(settled).toBe(0);
    release();
    await Promise.all(all);
    expect(settled).toBe(3);
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
    await expect(failing.submit([1])).rejects.toThrow('redis down');
    const slow = new GroupCommitter<number>(() => new Promise(() => undefined), {
      maxWaitMs: 1,
      maxItems: 10,
      timeoutMs: 20,
    });
    await expect(slow.submit([1])).rejects.toBeInstanceOf(GroupCommitTimeoutError);
  });

  it('drain flushes what is pending and waits for it', async () => {
    const flushed: number[][] = [];
    const committer = new GroupCommitter<number>(
      async (items) => {
        await new Promise((r) => setTimeout(r, 10));
        flushed.push(items);
      },
      { maxWaitMs: 10_000, maxItems: 100, timeoutMs: 1000 },
    );
    const p = committer.submit([7]);
    await committer.drain();
    expect(flushed).toEqual([[7]]);
    await p;
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
