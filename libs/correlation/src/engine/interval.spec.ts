import { learnInterval } from './interval';

describe('learnInterval', () => {
  it('takes the first gap as it is, then moves a fifth of the way towards each new one', () => {
    expect(learnInterval(null, 10_000)).toBe(10_000);
    expect(learnInterval(10_000, 12_000)).toBe(10_400);
  });

  it('is not taught "every hour" by one outage', () => {
    expect(learnInterval(10_000, 3_600_000)).toBe(10_000 + 0.2 * 30_000);
    expect(learnInterval(10_000, 1)).toBe(10_000 + 0.2 * (2_500 - 10_000));
  });
});
