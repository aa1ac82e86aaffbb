import type { ScoredIncidentChange } from './engine-event';
import { compareOrders, faultOutcomes } from './order-comparison';
import { truth } from './spec-support';

const incident = (
  id: string,
  keys: string[],
  openedAt: number,
  status: 'open' | 'resolved' = 'resolved',
): ScoredIncidentChange => ({
  type: status === 'open' ? 'updated' : 'resolved',
  at: Number.MAX_SAFE_INTEGER,
  incident: {
    id,
    status,
    openedAt,
    rootCauses: keys.map((key) => ({ key })),
    affected: { instances: ['instance:a/a-1'] },
  },
});

describe('compareOrders', () => {
  const truths = [truth('f1', 'backend:x')];
  const reference = {
    changes: [incident('a1', ['backend:x', 'instance:a/a-1'], 105_000)],
    resolvedAt: new Map([['a1', 210_000]]),
  };

  it('finds a run identical to the reference identical', () => {
    const other = {
      changes: [incident('b1', ['backend:x'], 112_000)],
      resolvedAt: new Map([['b1', 215_000]]),
    };
    expect(compareOrders(truths, reference, other)).toMatchObject({
      faults: 1,
      sameTop: 1,
      openedWithin: 1,
      extra: [],
      differences: [],
      ac1: 1,
    });
  });

  it('reports another top cause, a late opening and incidents the reference does not have', () => {
    const other = {
      changes: [
        incident('b1', ['instance:a/a-1', 'backend:x'], 130_000),
        incident('b2', ['backend:x'], 400_000),
      ],
      resolvedAt: new Map([
        ['b1', 210_000],
        ['b2', 420_000],
      ]),
    };
    const c = compareOrders(truths, reference, other);
    expect(c).toMatchObject({ sameTop: 0, openedWithin: 0, ac1: 0 });
    expect(c.extra.map((i) => i.id).sort()).toEqual(['b1', 'b2']);
    expect(c.differences).toEqual([
      {
        reference: { truthId: 'f1', rootKey: 'backend:x', top: 'backend:x', openedAt: 105_000 },
        other: { truthId: 'f1', rootKey: 'backend:x', top: 'instance:a/a-1', openedAt: 130_000 },
      },
    ]);
  });

  it('counts a fault both runs missed as the same, and an open incident as overlapping all after', () => {
    const missed = [truth('f2', 'backend:y', { startAt: 500_000, endAt: 600_000 })];
    const open = { changes: [incident('a1', ['backend:z'], 50_000, 'open')] };
    const later = { changes: [incident('b1', ['backend:z'], 900_000, 'open')] };
    expect(compareOrders(missed, open, later)).toMatchObject({
      sameTop: 1,
      openedWithin: 1,
      extra: [],
    });
  });
});

describe('faultOutcomes', () => {
  it('takes the matched incident ranking the true root best', () => {
    const { outcomes } = faultOutcomes([truth('f1', 'backend:x')], {
      changes: [
        incident('i1', ['instance:a/a-1'], 104_000),
        incident('i2', ['instance:a/a-2', 'backend:x'], 106_000),
      ],
    });
    expect(outcomes).toEqual([
      { truthId: 'f1', rootKey: 'backend:x', top: 'instance:a/a-2', openedAt: 106_000 },
    ]);
  });
});
