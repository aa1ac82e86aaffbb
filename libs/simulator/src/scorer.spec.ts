import type { ScoredIncidentChange } from './engine-event';
import { aggregateScores, percentile, scoreRun } from './scorer';
import { truth } from './spec-support';

const change = (
  type: ScoredIncidentChange['type'],
  at: number,
  id: string,
  keys: string[],
  instances = ['instance:a/a-1'],
  openedAt = 105_000,
): ScoredIncidentChange => ({
  type,
  at,
  incident: {
    id,
    status: type === 'resolved' ? 'resolved' : 'open',
    openedAt,
    rootCauses: keys.map((key) => ({ key })),
    affected: { instances },
  },
});

describe('scoreRun', () => {
  it('grades the final ranking and the delay to the true root on top', () => {
    const score = scoreRun(
      [truth('f1', 'backend:x')],
      [
        change('opened', 105_000, 'i1', ['instance:a/a-1', 'backend:x']),
        change('updated', 109_000, 'i1', ['backend:x', 'instance:a/a-1']),
        change('resolved', 210_000, 'i1', ['backend:x', 'instance:a/a-1']),
      ],
    );
    expect(score).toMatchObject({ falsePositives: 0, duplicates: 0, incidents: 1 });
    expect(score.truths[0]).toMatchObject({ rank: 1, delayMs: 8_000, incidents: ['i1'] });
  });

  it('counts duplicates, false positives and misses', () => {
    const score = scoreRun(
      [truth('f1', 'backend:x'), truth('f2', 'backend:y', { affected: ['instance:b/b-1'] })],
      [
        change('opened', 105_000, 'i1', ['backend:x']),
        change('opened', 106_000, 'i2', ['host:h', 'backend:x'], ['instance:a/a-2'], 106_000),
        change('opened', 300_000, 'i3', ['backend:z'], ['instance:q/q-1'], 300_000),
      ],
    );
    expect(score.falsePositives).toBe(1);
    expect(score.duplicates).toBe(1);
    expect(score.truths[0].rank).toBe(1);
    expect(score.truths[1]).toMatchObject({ rank: null, delayMs: null, incidents: [] });
  });

  it('matches a wrongly ranked incident to its fault by the instances it affects', () => {
    const score = scoreRun(
      [truth('f1', 'backend:x')],
      [
        change(
          'opened',
          105_000,
          'i1',
          ['service:s', 'host:h', 'zone:z', 'backend:x'],
          ['instance:a/a-2'],
        ),
      ],
    );
    expect(score.falsePositives).toBe(0);
    expect(score.truths[0]).toMatchObject({ rank: 4, delayMs: null });
  });
});

describe('scoreRun on a flapping cause (one truth for the whole episode)', () => {
  // Down 100-140 s, 200-240 s and 300-340 s: one truth from the first down to the last recovery.
  const flapping = truth('f1', 'backend:x', {
    faultClass: 'flapping-cause',
    startAt: 100_000,
    endAt: 340_000,
    cycles: 3,
  });

  it('counts one incident that stays open across the cycles as correct', () => {
    const score = scoreRun(
      [flapping],
      [
        change('opened', 105_000, 'i1', ['backend:x']),
        change('updated', 205_000, 'i1', ['backend:x']),
        change('resolved', 400_000, 'i1', ['backend:x']),
      ],
    );
    expect(score).toMatchObject({ falsePositives: 0, duplicates: 0, incidents: 1 });
    expect(score.truths[0]).toMatchObject({ rank: 1, delayMs: 4_000 });
  });

  it('counts every further incident on the same root during the episode as a duplicate', () => {
    const score = scoreRun(
      [flapping],
      [100_000, 200_000, 300_000].flatMap((down, n) => [
        change('opened', down + 5_000, `i${n}`, ['backend:x'], undefined, down + 5_000),
        change('resolved', down + 60_000, `i${n}`, ['backend:x'], undefined, down + 5_000),
      ]),
    );
    expect(score).toMatchObject({ falsePositives: 0, duplicates: 2, incidents: 3 });
    expect(score.truths[0]).toMatchObject({ rank: 1, incidents: ['i0', 'i1', 'i2'] });
  });
});

describe('aggregateScores', () => {
  it('reports AC@1, AC@3, false positives and delay percentiles per class and overall', () => {
    const good = scoreRun(
      [truth('f1', 'backend:x')],
      [change('opened', 111_000, 'i1', ['backend:x'])],
    );
    const third = scoreRun(
      [truth('f1', 'backend:x', { faultClass: 'cascade' })],
      [change('opened', 131_000, 'i1', ['a:1', 'b:2', 'backend:x'])],
    );
    const noisy = scoreRun([], [change('opened', 50_000, 'n1', ['backend:q'])]);
    const { byClass, overall } = aggregateScores([
      { faultClass: 'backend-down', score: good },
      { faultClass: 'cascade', score: third },
      { faultClass: 'flaps-only', score: noisy },
    ]);
    expect(byClass.map((c) => [c.faultClass, c.cases, c.ac1, c.ac3, c.falsePositives])).toEqual([
      ['backend-down', 1, 1, 1, 0],
      ['cascade', 1, 0, 1, 0],
      ['flaps-only', 0, 1, 1, 1],
    ]);
    expect(overall).toMatchObject({
      cases: 2,
      ac1: 0.5,
      ac3: 1,
      falsePositives: 1,
      delayP50Ms: 10_000,
      delayP95Ms: 10_000,
    });
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
  });
});
