import { changeRef } from '../engine/change-log';
import type {
  ChangeRef,
  Incident,
  IncidentChange,
  RootCause,
  TimelineEntry,
} from '../engine/engine.model';

/**
 * The incidents table's row layout, as the correlation worker writes it and the incidents API
 * reads it, and the pure conversions of the write side (unit-tested without a database).
 */

/** One incident as it travels to the upsert: a json_to_recordset row, keys named as the columns. */
export interface IncidentWriteRow {
  id: string;
  status: Incident['status'];
  opened_at: string;
  resolved_at: string | null;
  first_evidence_at: string;
  root_key: string | null;
  /** The engine's shape; a change's `startedAt` in epoch ms as the engine keeps it (the API renders RFC 3339). */
  root_causes: RootCause[];
  affected_services: string[];
  affected_instances: string[];
  timeline: StoredTimelineEntry[];
  changed_at: string;
  severity: Severity;
  flapping: boolean;
  cycles: number;
}

type Severity = NonNullable<Incident['severity']>;

/** The columns of IncidentRow, for the repositories that read it. */
export const INCIDENT_ROW_COLUMNS = `id, status, opened_at, resolved_at, first_evidence_at, root_causes,
  affected_services, changed_at, updated_at, severity, flapping, cycles`;

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
  severity: Severity;
  flapping: boolean;
  cycles: number;
}

export interface IncidentDetailRow extends IncidentRow {
  affected_instances: string[];
  timeline: StoredTimelineEntry[];
}

/** A timeline entry as stored (jsonb) and served: `topCause` only where a cause became first, `change` only where it records one. */
export interface StoredTimelineEntry {
  at: string;
  what: string;
  topCause?: string;
  change?: ChangeRef;
}

export const withTopCause = <T extends object>(
  entry: T,
  topCause: string | undefined,
): T & { topCause?: string } => (topCause === undefined ? entry : { ...entry, topCause });

const iso = (ms: number): string => new Date(ms).toISOString();

/** Only the fields the row keeps, in a fixed order (a cause read back compares equal). */
function copyCause(c: RootCause): RootCause {
  const out: RootCause = {
    key: c.key,
    kind: c.kind,
    confidence: c.confidence,
    summary: c.summary,
  };
  if (c.change) out.change = changeRef(c.change);
  if (c.changes) out.changes = c.changes.map(changeRef);
  return out;
}

function storedEntry(e: TimelineEntry): StoredTimelineEntry {
  const entry = withTopCause({ at: iso(e.at), what: e.what }, e.topCause);
  return e.change ? { ...entry, change: changeRef(e.change) } : entry;
}

function engineEntry(e: StoredTimelineEntry): TimelineEntry {
  const entry = withTopCause({ at: Date.parse(e.at), what: e.what }, e.topCause);
  return e.change ? { ...entry, change: changeRef(e.change) } : entry;
}

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
    status: inc.status,
    opened_at: iso(inc.openedAt),
    resolved_at: inc.resolvedAt === null ? null : iso(inc.resolvedAt),
    first_evidence_at: iso(inc.firstEvidenceAt),
    root_key: inc.rootCauses[0]?.key ?? null,
    root_causes: inc.rootCauses.map(copyCause),
    affected_services: [...inc.affected.services],
    affected_instances: [...inc.affected.instances],
    timeline: inc.timeline.map(storedEntry),
    changed_at: iso(change.at),
    severity: inc.severity ?? 'critical',
    flapping: inc.flapping ?? false,
    cycles: inc.cycles ?? 1,
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
    rootCauses: row.root_causes.map(copyCause),
    affected: { services: [...row.affected_services], instances: [...row.affected_instances] },
    timeline: row.timeline.map(engineEntry),
    severity: row.severity,
    flapping: row.flapping,
    cycles: row.cycles,
  };
}
