import type { InstanceRec } from './records';
import { SilenceClock } from './silence-clock';

const inst = (lastSeen: number, seq = 1) =>
  ({ key: 'instance:a/a-1', lastSeen, seq }) as unknown as InstanceRec;

describe('SilenceClock', () => {
  it('reports overdue after overdueFactor intervals, then stale after staleIntervals', () => {
    const clock = new SilenceClock(1.2, 3);
    const a = inst(0);
    clock.schedule(a, 10_000);
    expect(clock.advance(11_999, () => 10_000)).toEqual([]);
    expect(clock.advance(12_000, () => 10_000)).toEqual([
      { inst: a, stage: 'overdue', at: 12_000 },
    ]);
    expect(clock.advance(29_999, () => 10_000)).toEqual([]);
    expect(clock.advance(45_000, () => 10_000)).toEqual([{ inst: a, stage: 'stale', at: 30_000 }]);
  });

  it('forgets deadlines an instance made obsolete by reporting again', () => {
    const clock = new SilenceClock(1.2, 3);
    const a = inst(0);
    clock.schedule(a, 10_000);
    a.lastSeen = 10_000;
    a.seq = 2;
    clock.schedule(a, 10_000);
    expect(clock.advance(21_000, () => 10_000).map((t) => [t.stage, t.at])).toEqual(
      [['overdue', 22_000]].slice(0, 0),
    );
    expect(clock.advance(22_000, () => 10_000).map((t) => [t.stage, t.at])).toEqual([
      ['overdue', 22_000],
    ]);
  });

  it('hands out due deadlines in time order', () => {
    const clock = new SilenceClock(2, 3);
    const instances = [5, 1, 4, 2, 3].map((t) => inst(t * 1000));
    for (const i of instances) clock.schedule(i, 1000);
    expect(
      clock
        .advance(10_000, () => 1000)
        .filter((t) => t.stage === 'overdue')
        .map((t) => t.at),
    ).toEqual([3000, 4000, 5000, 6000, 7000]);
  });
});
