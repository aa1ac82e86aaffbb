import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import {
  INCIDENT_ROW_COLUMNS,
  type IncidentDetailRow,
  type IncidentWriteRow,
} from './stored-incident';

/**
 * The correlation worker's side of the incidents table: snapshots written as one JSON
 * parameter expanded by json_to_recordset, and the open incidents read back on takeover.
 * The API reads the same table through @faultline/incidents.
 */
@Injectable()
export class IncidentWriteRepository {
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
                                     affected_services, affected_instances, timeline, changed_at,
                                     severity, flapping, cycles)
       SELECT id, status, opened_at, resolved_at, first_evidence_at, root_key, root_causes,
              affected_services, affected_instances, timeline, changed_at, severity, flapping, cycles
       FROM json_to_recordset($1::json)
         AS x(id text, status text, opened_at timestamptz, resolved_at timestamptz,
              first_evidence_at timestamptz, root_key text, root_causes jsonb,
              affected_services text[], affected_instances text[], timeline jsonb,
              changed_at timestamptz, severity text, flapping boolean, cycles integer)
       ON CONFLICT (id) DO UPDATE SET
         status = EXCLUDED.status, opened_at = EXCLUDED.opened_at, resolved_at = EXCLUDED.resolved_at,
         first_evidence_at = EXCLUDED.first_evidence_at, root_key = EXCLUDED.root_key, root_causes = EXCLUDED.root_causes,
         affected_services = EXCLUDED.affected_services, affected_instances = EXCLUDED.affected_instances,
         timeline = EXCLUDED.timeline, changed_at = EXCLUDED.changed_at, severity = EXCLUDED.severity,
         flapping = EXCLUDED.flapping, cycles = EXCLUDED.cycles, updated_at = now()
       WHERE cur.changed_at < EXCLUDED.changed_at
          OR (cur.changed_at = EXCLUDED.changed_at
              AND (cur.status, cur.opened_at, cur.resolved_at, cur.first_evidence_at, cur.root_causes,
                   cur.affected_services, cur.affected_instances, cur.timeline, cur.severity, cur.flapping, cur.cycles)
                  IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.opened_at, EXCLUDED.resolved_at, EXCLUDED.first_evidence_at,
                   EXCLUDED.root_causes, EXCLUDED.affected_services, EXCLUDED.affected_instances, EXCLUDED.timeline,
                   EXCLUDED.severity, EXCLUDED.flapping, EXCLUDED.cycles))`,
      [JSON.stringify(rows)],
    );
  }

  listOpen(): Promise<IncidentDetailRow[]> {
    return this.dataSource.query(
      `SELECT ${INCIDENT_ROW_COLUMNS}, affected_instances, timeline FROM incidents WHERE status = 'open' ORDER BY opened_at, id`,
    );
  }
}
