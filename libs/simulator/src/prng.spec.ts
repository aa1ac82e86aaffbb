import { Prng } from './prng';

describe('Prng', () => {
  it('replays a seed exactly and differs across seeds', () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 5 },
        (
          (r) => () =>
            r.next()
        )(new Prng(seed)),
      );
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it('stays in range and is roughly uniform', () => {
    const r = new Prng(3);
    const buckets = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) {
      const x = r.int(0, 3);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(3);
      buckets[x]++;
    }
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (r.chance(0.005)) hits++;
    expect(hits).toBeGreaterThan(400);
    expect(hits).toBeLessThan(600);
  });

  it('forks named streams that do not disturb each other', () => {
    const a = new Prng(5);
    const b = new Prng(5);
    const fa = a.fork('x');
    fa.next();
    b.fork('x');
    expect(a.next()).toBe(b.next());
    expect(new Prng(5).fork('x').next()).not.toBe(new Prng(5).fork('y').next());
  });

  it('shuffles into a permutation and refuses to pick from nothing', () => {
    const r = new Prng(9);
    expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(() => r.pick([])).toThrow(RangeError);
  });
});
