import type { InstanceState } from './state.model';
import { StateCache } from './state-cache';

const instance = (name: string): InstanceState => ({
  service: 'svc',
  name,
  host: null,
  zone: null,
  labels: {},
  status: 'pass',
  firstSeenAt: 1,
  lastSeenAt: 2,
  lastReceivedAt: 2,
  intervalMs: null,
});
const entry = (name: string, version: number) => ({
  version,
  instance: instance(name),
  checks: new Map(),
});

describe('StateCache', () => {
  it('answers only for the version the row holds, and forgets a copy another version replaced', () => {
    const cache = new StateCache(10);
    cache.remember('a', entry('a', 7));
    expect(cache.current('a', 7)?.instance.name).toBe('a');
    expect(cache.current('a', 8)).toBeUndefined();
    expect(cache.knows('a')).toBe(false);
    expect(cache.current('a', 7)).toBeUndefined();
  });

  it('keeps at most its capacity: a full cache admits no newcomer, so a round-robin fleet still hits', () => {
    const cache = new StateCache(2, 600_000);
    cache.remember('a', entry('a', 1), 0);
    cache.remember('b', entry('b', 1), 0);
    cache.remember('c', entry('c', 1), 0);
    expect(cache.size).toBe(2);
    expect(cache.knows('c')).toBe(false);
    // A fleet of three reporting in turn: a and b keep hitting, c is read each time.
    for (let t = 1; t <= 3; t++) {
      expect(cache.current('a', 1, t * 10_000)).toBeDefined();
      expect(cache.current('b', 1, t * 10_000)).toBeDefined();
      cache.remember('c', entry('c', 1), t * 10_000);
      expect(cache.knows('c')).toBe(false);
    }
    // Updates of cached instances are always kept.
    cache.remember('a', entry('a', 2), 40_000);
    expect(cache.current('a', 2, 40_000)).toBeDefined();
  });

  it('makes room by dropping instances idle for its idle time (gone, or moved to another worker)', () => {
    const cache = new StateCache(2, 600_000);
    cache.remember('a', entry('a', 1), 0);
    cache.remember('b', entry('b', 1), 0);
    cache.current('b', 1, 500_000);
    cache.remember('c', entry('c', 1), 700_000);
    expect(cache.knows('a')).toBe(false);
    expect(cache.knows('b')).toBe(true);
    expect(cache.knows('c')).toBe(true);
  });

  it('remembers nothing with capacity 0 (the setting turned off)', () => {
    const cache = new StateCache(0);
    cache.remember('a', entry('a', 1));
    expect(cache.current('a', 1)).toBeUndefined();
  });
});
