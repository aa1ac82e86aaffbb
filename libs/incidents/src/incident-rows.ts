import type { Incident, IncidentChange, RootCause } from '@faultline/correlation';
import type { IncidentDetail, IncidentSummary, RootCauseView } from './incident.model';

/**
 * Pure conversions between the engine's incidents, the rows of the incidents table and the
 * API views. Kept apart from the SQL so they are unit-tested without a database.
 */

/** One incident as it travels to the upsert: a json_to_recordset row (short names keep the JSON small). */
export interface IncidentWriteRow {
  id: string;
  st: Incident['status'];
  o: string;
  r: string | null;
  f: string;
  rk: string | null;
  rc: RootCause[];
  s: string[];
  i: string[];
  tl: StoredTimelineEntry[];
  c: string;
}

/** An incidents row as node-pg returns it (timestamptz as Date, jsonb parsed). */
export interface IncidentRow {
  id: string;
  status: Incident['status'];
  opened_at: Date;
  resolved_at: Date | null;
  first_evidence_at: Date;
  root_causes: RootCause[];
  affected_services: string[];
  changed_at: Date;
  updated_at: Date;
}

/** A list row: the instance keys are counted in SQL rather than shipped. */
export interface IncidentListRow extends IncidentRow {
  instance_count: number;
  /** opened_at as exact UTC text with microseconds, for the cursor. */
  sort_at: string;
}

export interface IncidentDetailRow extends IncidentRow {
  affected_instances: string[];
  timeline: StoredTimelineEntry[];
}

/** A timeline entry as stored (jsonb) and served: `topCause` only where a cause became first. */
interface StoredTimelineEntry {
  at: string;
  what: string;
  topCause?: string;
}

const withTopCause = <T extends object>(
  entry: T,
  topCause: string | undefined,
): T & { topCause?: string } => (topCause === undefined ? entry : { ...entry, topCause });

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The change to keep for each incident: the one with the latest `at`; on equal `at` the later
 * one in the list (the engine's last word for that tick). Sorted by id, so concurrent writers
 * lock rows in one order.
 */
export function latestPerIncident(changes: readonly IncidentChange[]): IncidentChange[] {
  const latest = new Map<string, IncidentChange>();
  for (const change of changes) {
    const kept = latest.get(change.incident.id);
    if (!kept || change.at >= kept.at) latest.set(change.incident.id, change);
  }
  return [...latest.values()].sort((a, b) =>
    a.incident.id < b.incident.id ? -1 : a.incident.id > b.incident.id ? 1 : 0,
  );
}

export function toWriteRow(change: IncidentChange): IncidentWriteRow {
  const inc = change.incident;
  return {
    id: inc.id,
    st: inc.status,
    o: iso(inc.openedAt),
    r: inc.resolvedAt === null ? null : iso(inc.resolvedAt),
    f: iso(inc.firstEvidenceAt),
    rk: inc.rootCauses[0]?.key ?? null,
    rc: inc.rootCauses.map((c) => ({
      key: c.key,
      kind: c.kind,
      confidence: c.confidence,
      summary: c.summary,
    })),
    s: [...inc.affected.services],
    i: [...inc.affected.instances],
    tl: inc.timeline.map((e) => withTopCause({ at: iso(e.at), what: e.what }, e.topCause)),
    c: iso(change.at),
  };
}

/** Back to the engine's shape, for a worker rebuilding its open incidents after a restart. */
export function toIncident(row: IncidentDetailRow): Incident {
  return {
    id: row.id,
    status: row.status,
    openedAt: row.opened_at.getTime(),
    resolvedAt: row.resolved_at === null ? null : row.resolved_at.getTime(),
    firstEvidenceAt: row.first_evidence_at.getTime(),
    rootCauses: row.root_causes.map((c) => ({
      key: c.key,
      kind: c.kind,
      confidence: c.confidence,
      summary: c.summary,
    })),
    affected: { services: [...row.affected_services], instances: [...row.affected_instances] },
    timeline: row.timeline.map((e) =>
      withTopCause({ at: Date.parse(e.at), what: e.what }, e.topCause),
    ),
  };
}

// CONTRACT.md's fields first, in its order; additions after.
const toRootCauseView = (c: RootCause): RootCauseView => ({
  key: c.key,
  confidence: c.confidence,
  summary: c.summary,
  kind: c.kind,
});

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
  };
}

export const toIncidentSummary = (row: IncidentListRow): IncidentSummary =>
  baseView(row, row.instance_count);

export function toIncidentDetail(row: IncidentDetailRow): IncidentDetail {
  const view = baseView(row, row.affected_instances.length);
  return {
    ...view,
    affected: { ...view.affected, instanceKeys: [...row.affected_instances] },
    timeline: row.timeline.map((e) => withTopCause({ at: e.at, what: e.what }, e.topCause)),
  };
}
