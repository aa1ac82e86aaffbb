import { isStale, STALE_AFTER_INTERVALS, staleSql } from './staleness';

describe('isStale (event time)', () => {
  const lastSeen = Date.parse('2026-11-25T10:00:00Z');
  const interval = 10_000;

  it('is stale from 3 of its own intervals of silence on, not before', () => {
    expect(STALE_AFTER_INTERVALS).toBe(3);
    expect(isStale(lastSeen, interval, lastSeen)).toBe(false);
    expect(isStale(lastSeen, interval, lastSeen + 29_999)).toBe(false);
    expect(isStale(lastSeen, interval, lastSeen + 30_000)).toBe(true);
    expect(isStale(lastSeen, interval, lastSeen + 3_600_000)).toBe(true);
  });

  it('measures each instance against its own interval', () => {
    const now = lastSeen + 60_000;
    expect(isStale(lastSeen, 10_000, now)).toBe(true);
    expect(isStale(lastSeen, 30_000, now)).toBe(false);
  });

  it('never calls an instance stale without a learned interval or a known "now"', () => {
    expect(isStale(lastSeen, null, lastSeen + 86_400_000)).toBe(false);
    expect(isStale(lastSeen, interval, null)).toBe(false);
  });

  it('states the same rule, boundary included, in SQL', () => {
    const sql = staleSql('i', 'clock.now');
    expect(sql).toContain('i.interval_ms IS NOT NULL');
    expect(sql).toContain(
      `i.last_seen_at <= clock.now - (i.interval_ms * interval '1 millisecond') * ${STALE_AFTER_INTERVALS}`,
    );
  });
});
