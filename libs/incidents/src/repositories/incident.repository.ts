import { cursorTimeSql } from '@faultline/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { IncidentDetailRow, IncidentListRow, IncidentWriteRow } from '../incident-rows';

export interface IncidentFilter {
  status: 'open' | 'resolved' | null;
  /** Incidents still open or resolved at or after it (RFC 3339). */
  since: string | null;
  service: string | null;
  /** An entity key among the root causes, any rank. */
  key: string | null;
  /** (opened_at exact text, id) of the last incident of the previous page. */
  before: [string, string] | null;
  take: number;
}

const ROW_COLUMNS = `id, status, opened_at, resolved_at, first_evidence_at, root_causes, affected_services, changed_at, updated_at`;

/**
 * The incidents table. Writes take their rows as one JSON parameter expanded by
 * json_to_recordset; lists walk incidents_status_opened_idx or incidents_opened_idx newest
 * first, with the service and cause filters as GIN containment tests.
 */
@Injectable()
export class IncidentRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inserts or replaces snapshots, at most one per id. A stored snapshot is replaced only by one
   * of a later event time, or of the same event time with different content, so a replay
   * neither rewinds an incident nor touches updated_at.
   */
  async upsert(rows: readonly IncidentWriteRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO incidents AS cur (id, status, opened_at, resolved_at, first_evidence_at, root_key, root_causes,
                                     affected_services, affected_instances, timeline, changed_at)
       SELECT id, st, o, r, f, rk, rc, s, i, tl, c
       FROM json_to_recordset($1::json)
         AS x(id text, st text, o timestamptz, r timestamptz, f timestamptz, rk text, rc jsonb, s text[], i text[], tl jsonb, c timestamptz)
       ON CONFLICT (id) DO UPDATE SET
         status = EXCLUDED.status, opened_at = EXCLUDED.opened_at, resolved_at = EXCLUDED.resolved_at,
         first_evidence_at = EXCLUDED.first_evidence_at, root_key = EXCLUDED.root_key, root_causes = EXCLUDED.root_causes,
         affected_services = EXCLUDED.affected_services, affected_instances = EXCLUDED.affected_instances,
         timeline = EXCLUDED.timeline, changed_at = EXCLUDED.changed_at, updated_at = now()
       WHERE cur.changed_at < EXCLUDED.changed_at
          OR (cur.changed_at = EXCLUDED.changed_at
              AND (cur.status, cur.opened_at, cur.resolved_at, cur.first_evidence_at, cur.root_causes,
                   cur.affected_services, cur.affected_instances, cur.timeline)
                  IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.opened_at, EXCLUDED.resolved_at, EXCLUDED.first_evidence_at,
                   EXCLUDED.root_causes, EXCLUDED.affected_services, EXCLUDED.affected_instances, EXCLUDED.timeline))`,
      [JSON.stringify(rows)],
    );
  }

  listOpen(): Promise<IncidentDetailRow[]> {
    return this.dataSource.query(
      `SELECT ${ROW_COLUMNS}, affected_instances, timeline FROM incidents WHERE status = 'open' ORDER BY opened_at, id`,
    );
  }

  /** Newest opened first; ties on opened_at broken by id, descending. */
  list(f: IncidentFilter): Promise<IncidentListRow[]> {
    return this.dataSource.query(
      `SELECT ${ROW_COLUMNS}, cardinality(affected_instances) AS instance_count, ${cursorTimeSql('opened_at')} AS sort_at
       FROM incidents
       WHERE ($1::text IS NULL OR status = $1)
         AND ($2::timestamptz IS NULL OR resolved_at IS NULL OR resolved_at >= $2)
         AND ($3::text IS NULL OR affected_services @> ARRAY[$3::text])
         AND ($4::text IS NULL OR root_causes @> jsonb_build_array(jsonb_build_object('key', $4::text)))
         AND ($5::timestamptz IS NULL OR (opened_at, id) < ($5::timestamptz, $6::text))
       ORDER BY opened_at DESC, id DESC
       LIMIT $7`,
      [f.status, f.since, f.service, f.key, f.before?.[0] ?? null, f.before?.[1] ?? null, f.take],
    );
  }

  async find(id: string): Promise<IncidentDetailRow | null> {
    const rows: IncidentDetailRow[] = await this.dataSource.query(
      `SELECT ${ROW_COLUMNS}, affected_instances, timeline FROM incidents WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }
}
