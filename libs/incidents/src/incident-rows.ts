import type { RootCause } from '@faultline/correlation';
import type { IncidentDetailRow, IncidentRow } from '@faultline/correlation/service';
import { withTopCause } from '@faultline/correlation/service';

import { toChangeRefView, toChangeRefViews } from './change-ref';
import type { IncidentDetail, IncidentSummary, RootCauseView } from './incident.model';

/**
 * Pure conversions from the rows of the incidents table (written by the correlation worker,
 * layout in @faultline/correlation/service's stored-incident.ts) to the API views.
 */

/** A list row: the instance keys are counted in SQL rather than shipped. */
export interface IncidentListRow extends IncidentRow {
  instance_count: number;
  /** opened_at as exact UTC text with microseconds, for the cursor. */
  sort_at: string;
}

/**
 * A root cause or timeline entry as the jsonb holds it: the engine's shape, plus the changes it
 * may name (read through toChangeRefView, which accepts their times as ms or RFC 3339).
 */
type StoredCause = RootCause & { change?: unknown; changes?: unknown };
type StoredEntry = IncidentDetailRow['timeline'][number] & { change?: unknown };

// docs/CONTRACT.md's fields first, in its order; additions after, the change fields only when set.
function toRootCauseView(stored: RootCause): RootCauseView {
  const c = stored as StoredCause;
  const view: RootCauseView = {
    key: c.key,
    confidence: c.confidence,
    summary: c.summary,
    kind: c.kind,
  };
  const change = toChangeRefView(c.change);
  if (change) view.change = change;
  const changes = toChangeRefViews(c.changes);
  if (changes) view.changes = changes;
  return view;
}

function toTimelineEntryView(stored: IncidentDetailRow['timeline'][number]) {
  const e = stored as StoredEntry;
  const entry = withTopCause({ at: e.at, what: e.what }, e.topCause);
  const change = toChangeRefView(e.change);
  return change ? { ...entry, change } : entry;
}

function baseView(row: IncidentRow, instances: number) {
  return {
    id: row.id,
    status: row.status,
    openedAt: row.opened_at.toISOString(),
    resolvedAt: row.resolved_at === null ? null : row.resolved_at.toISOString(),
    rootCauses: row.root_causes.map(toRootCauseView),
    affected: { services: [...row.affected_services], instances },
    firstEvidenceAt: row.first_evidence_at.toISOString(),
    changedAt: row.changed_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    severity: row.severity,
    flapping: row.flapping,
    cycles: row.cycles,
  };
}

export const toIncidentSummary = (row: IncidentListRow): IncidentSummary =>
  baseView(row, row.instance_count);

export function toIncidentDetail(row: IncidentDetailRow): IncidentDetail {
  const view = baseView(row, row.affected_instances.length);
  return {
    ...view,
    affected: { ...view.affected, instanceKeys: [...row.affected_instances] },
    timeline: row.timeline.map(toTimelineEntryView),
  };
}
