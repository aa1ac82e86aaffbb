// The learned interval moves a fifth of the way towards each new gap, and a gap counts at most
// four times the current estimate, so one outage does not teach "reports every hour" (the same
// rule as the ingest state planner, so both agree on when an instance is stale).
const WEIGHT = 0.2;
const CLAMP = 4;

/**
 * The usual report interval of an instance after one more gap between its reports.
 * Contract: `gap` > 0 (reports at or before the instance's watermark are never applied);
 * `current` is null until a first gap was seen, and then becomes that gap. Pure, O(1).
 */
export function learnInterval(current: number | null, gap: number): number {
  if (current === null) return gap;
  const bounded = Math.min(Math.max(gap, current / CLAMP), current * CLAMP);
  return Math.round(current + WEIGHT * (bounded - current));
}
