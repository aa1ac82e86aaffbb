import type { Report } from '@faultline/reports';

import type { CorrelationEngine } from '../engine/correlation-engine';
import type { IncidentChange } from '../engine/engine.model';

const TICK_MS = 1000;
// A long silence in event time is crossed in at most this many ticks, not one per second.
const MAX_TICKS_PER_GAP = 600;

/**
 * Feeds reports to the engine in event-time order, ticking the watermark at least once a
 * second of event time between them (the engine's contract) and once more at the newest report.
 * The watermark is the newest event time seen, where a report's event time counts no later
 * than its receipt: one reporter with a clock minutes ahead must not make the whole fleet look
 * silent. A replayed recording (observed long before received) still runs in its own time.
 */
export function feedInEventTime(
  engine: CorrelationEngine,
  reports: readonly Report[],
): IncidentChange[] {
  const ordered = [...reports].sort((a, b) => a.observedAt - b.observedAt);
  const changes: IncidentChange[] = [];
  let newest = -Infinity;
  for (const report of ordered) {
    const at = Math.min(report.observedAt, report.receivedAt);
    const mark = engine.watermark;
    if (Number.isFinite(mark) && at > mark + TICK_MS) {
      const step = Math.max(TICK_MS, Math.ceil((at - mark) / MAX_TICKS_PER_GAP));
      for (let t = mark + step; t < at; t += step)
        changes.push(...engine.apply({ kind: 'tick', at: t }));
    }
    engine.apply({ kind: 'report', report });
    newest = Math.max(newest, at);
  }
  if (newest > engine.watermark) changes.push(...engine.apply({ kind: 'tick', at: newest }));
  return changes;
}
