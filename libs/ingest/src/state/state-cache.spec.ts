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

  it('keeps at most its capacity, dropping the least recently used', () => {
    const cache = new StateCache(2);
    cache.remember('a', entry('a', 1));
    cache.remember('b', entry('b', 1));
    cache.current('a', 1); // a is now the most recent
    cache.remember('c', entry('c', 1));
    expect(cache.size).toBe(2);
    expect(cache.knows('a')).toBe(true);
    expect(cache.knows('b')).toBe(false);
    expect(cache.knows('c')).toBe(true);
  });

  it('remembers nothing with capacity 0 (the setting turned off)', () => {
    const cache = new StateCache(0);
    cache.remember('a', entry('a', 1));
    expect(cache.current('a', 1)).toBeUndefined();
  });
});
