import { phaseOf } from './poll-scheduler';

describe('phaseOf', () => {
  it('is deterministic: the same id and interval always give the same phase', () => {
    for (const id of ['orders-api', 'nova-api', 'a', ''])
      expect(phaseOf(id, 10_000)).toBe(phaseOf(id, 10_000));
  });

  it('is FNV-1a of the id modulo the interval', () => {
    // FNV-1a 32-bit of "a" is 0xe40c292c, of "" the offset basis 0x811c9dc5.
    expect(phaseOf('a', 2 ** 32 - 1)).toBe(0xe40c292c);
    expect(phaseOf('a', 10_000)).toBe(0xe40c292c % 10_000);
    expect(phaseOf('', 10_000)).toBe(0x811c9dc5 % 10_000);
  });

  it('differs between ids', () => {
    const phases = new Set(
      ['orders-api', 'orders-api2', 'billing-api', 'nova-api'].map((id) => phaseOf(id, 10_000)),
    );
    expect(phases.size).toBe(4);
  });

  it('stays within [0, interval) as an integer', () => {
    for (const interval of [1_000, 1_001, 10_000, 60_000, 86_400_000]) {
      for (let i = 0; i < 500; i++) {
        const phase = phaseOf(`target-${i}`, interval);
        expect(Number.isInteger(phase)).toBe(true);
        expect(phase).toBeGreaterThanOrEqual(0);
        expect(phase).toBeLessThan(interval);
      }
    }
  });

  it('handles ids with characters outside ASCII', () => {
    const phase = phaseOf('écho-服务-😀', 10_000);
    expect(phase).toBeGreaterThanOrEqual(0);
    expect(phase).toBeLessThan(10_000);
  });

  it.each([
    ['target-<i>', (i: number) => `target-${i}`],
    ['svc-<i>.prod', (i: number) => `svc-${i}.prod`],
    ['t<i>', (i: number) => `t${i}`],
  ])('spreads 1,000 ids like %s over a 10 s interval evenly', (_name, idOf) => {
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 1000; i++) buckets[Math.floor(phaseOf(idOf(i), 10_000) / 1000)]++;
    expect(buckets.reduce((a, b) => a + b, 0)).toBe(1000);
    for (const count of buckets) {
      expect(count).toBeGreaterThanOrEqual(60);
      expect(count).toBeLessThanOrEqual(140);
    }
  });
});
