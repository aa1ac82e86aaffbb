import { log10Choose, reportsToSignificance, significance } from './significance';

describe('significance', () => {
  it('computes binomial coefficients in log space', () => {
    expect(log10Choose(5, 2)).toBeCloseTo(1, 6);
    expect(log10Choose(18, 6)).toBeCloseTo(Math.log10(18564), 6);
    expect(log10Choose(1000, 500)).toBeCloseTo(299.43, 1);
    expect(log10Choose(3, 0)).toBe(0);
    expect(log10Choose(3, 3)).toBe(0);
  });

  it('makes a lone witness persist and lets many witnesses speak at once (flapRate 0.01, threshold 7)', () => {
    expect(reportsToSignificance(7, 0.01)).toBe(4);
    expect(significance(4, 1, 1, 0.01)).toBeGreaterThanOrEqual(7);
    expect(significance(3, 1, 1, 0.01)).toBeLessThan(7);
    expect(significance(6, 18, 6, 0.01)).toBeGreaterThanOrEqual(7);
    expect(significance(3, 5, 3, 0.01)).toBeLessThan(7);
    expect(significance(6, 5, 3, 0.01)).toBeGreaterThanOrEqual(7);
    expect(significance(3, 367, 3, 0.01)).toBeLessThan(0);
  });
});
