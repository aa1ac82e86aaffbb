import { INCIDENT_ROW_COLUMNS, type IncidentDetailRow } from '@faultline/correlation/service';
import { cursorTimeSql } from '@faultline/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { IncidentListRow } from '../incident-rows';

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

/**
 * The incidents table as the API reads it (the correlation worker writes it). Lists walk incidents_status_opened_idx or incidents_opened_idx newest
 * first, with the service and cause filters as GIN containment tests.
 */
@Injectable()
export class IncidentRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Newest opened first; ties on opened_at broken by id, descending. */
  list(f: IncidentFilter): Promise<IncidentListRow[]> {
    return this.dataSource.query(
      `SELECT ${INCIDENT_ROW_COLUMNS}, cardinality(affected_instances) AS instance_count, ${cursorTimeSql('opened_at')} AS sort_at
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
      `SELECT ${INCIDENT_ROW_COLUMNS}, affected_instances, timeline FROM incidents WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }
}
