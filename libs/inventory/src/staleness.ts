/**
 * Staleness, in event time (docs/CONTRACT.md): an instance is stale when it has not reported for
 * STALE_AFTER_INTERVALS of its own usual intervals. "Now" is the newest event time known
 * (the latest last_seen_at of any instance), never the wall clock, so a replayed day shows
 * the same stale instances as the day lived. An instance without a learned interval (one
 * report so far) is never stale: there is no rhythm to miss.
 *
 * staleSql() is the same rule for filters and counts in SQL; the e2e spec checks they agree.
 */
export const STALE_AFTER_INTERVALS = 3;

export function isStale(
  lastSeenAt: number,
  intervalMs: number | null,
  eventNow: number | null,
): boolean {
  if (intervalMs === null || eventNow === null) return false;
  return eventNow - lastSeenAt >= STALE_AFTER_INTERVALS * intervalMs;
}

/** The rule as a SQL predicate over an instances row `alias` and an event-time `now` expression (never input). */
export const staleSql = (alias: string, now: string): string =>
  `coalesce(${alias}.interval_ms IS NOT NULL AND ${alias}.last_seen_at <= ${now} - (${alias}.interval_ms * interval '1 millisecond') * ${STALE_AFTER_INTERVALS}, false)`;

/** The newest event time known: the "now" of staleness. */
export const EVENT_NOW_SQL = `(SELECT max(last_seen_at) FROM instances)`;
