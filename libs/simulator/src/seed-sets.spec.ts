import { REPORT_SEEDS, SEED_SETS, TUNING_SEEDS } from './seed-sets';

describe('seed sets', () => {
  it('keeps the tuning seeds (1-4) apart from the report seeds (5-12)', () => {
    expect(TUNING_SEEDS).toEqual([1, 2, 3, 4]);
    expect(REPORT_SEEDS).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(TUNING_SEEDS.filter((s) => REPORT_SEEDS.includes(s))).toEqual([]);
    expect(SEED_SETS).toEqual({ tune: TUNING_SEEDS, report: REPORT_SEEDS });
  });
});
