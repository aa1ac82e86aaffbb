import { cursorTimeSql } from '@faultline/platform';
import type { Check, Status } from '@faultline/reports';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import { EVENT_NOW_SQL, staleSql } from '../staleness';

export interface InstanceRow {
  service: string;
  name: string;
  host: string | null;
  zone: string | null;
  labels: Record<string, string>;
  status: Status;
  first_seen_at: Date;
  last_seen_at: Date;
  last_received_at: Date;
  interval_ms: number | null;
  /** The event-time "now" staleness is measured against (null only with no instances at all). */
  event_now: Date | null;
}

export interface CheckStateRow {
  name: string;
  target: string | null;
  backend_key: string | null;
  status: Status;
  since: Date;
  latency_ms: number | null;
  output: string | null;
}

export interface ReportRow {
  observed_at: Date;
  received_at: Date;
  status: Status;
  client_id: string | null;
  body: { host?: string | null; labels?: Record<string, string>; checks?: Check[] };
  sort_at: string;
}

export interface TransitionRow {
  id: string;
  check_name: string;
  backend_key: string | null;
  from_status: Status | null;
  to_status: Status;
  observed_at: Date;
  output: string | null;
  sort_at: string;
}

export interface InstanceFilter {
  service: string | null;
  host: string | null;
  zone: string | null;
  status: Status | null;
  stale: boolean | null;
  /** (service, name) of the last instance of the previous page. */
  after: [string, string] | null;
  take: number;
}

export interface HistoryFilter {
  since: string | null;
  until: string | null;
  take: number;
}

const INSTANCE_COLUMNS = `i.service, i.name, i.host, i.zone, i.labels, i.status, i.first_seen_at, i.last_seen_at, i.last_received_at, i.interval_ms`;

/**
 * Instances, their current checks and their history. Lists walk the instances primary key
 * (service, name); history reads the reports primary key (service, instance, observed_at) of
 * each partition and check_transitions_instance_idx, newest first.
 */
@Injectable()
export class InstanceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(f: InstanceFilter): Promise<InstanceRow[]> {
    return this.dataSource.query(
      `WITH clock AS MATERIALIZED (SELECT ${EVENT_NOW_SQL} AS now)
       SELECT ${INSTANCE_COLUMNS}, clock.now AS event_now
       FROM instances i CROSS JOIN clock
       WHERE ($1::text IS NULL OR (i.service, i.name) > ($1::text, $2::text))
         AND ($3::text IS NULL OR i.service = $3)
         AND ($4::text IS NULL OR i.host = $4)
         AND ($5::text IS NULL OR i.zone = $5)
         AND ($6::text IS NULL OR i.status = $6)
         AND ($7::boolean IS NULL OR ${staleSql('i', 'clock.now')} = $7)
       ORDER BY i.service, i.name
       LIMIT $8`,
      [
        f.after?.[0] ?? null,
        f.after?.[1] ?? null,
        f.service,
        f.host,
        f.zone,
        f.status,
        f.stale,
        f.take,
      ],
    );
  }

  async find(service: string, name: string): Promise<InstanceRow | null> {
    const rows: InstanceRow[] = await this.dataSource.query(
      `SELECT ${INSTANCE_COLUMNS}, ${EVENT_NOW_SQL} AS event_now FROM instances i WHERE i.service = $1 AND i.name = $2`,
      [service, name],
    );
    return rows[0] ?? null;
  }

  async exists(service: string, name: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM instances WHERE service = $1 AND name = $2`,
      [service, name],
    );
    return rows.length > 0;
  }

  checks(service: string, name: string): Promise<CheckStateRow[]> {
    return this.dataSource.query(
      `SELECT name, target, backend_key, status, since, latency_ms, output
       FROM check_states WHERE service = $1 AND instance = $2 ORDER BY name`,
      [service, name],
    );
  }

  /** Raw reports newest first; `before` is the observed_at (exact text) of the previous page's last row. */
  reports(
    service: string,
    name: string,
    before: string | null,
    f: HistoryFilter,
  ): Promise<ReportRow[]> {
    return this.dataSource.query(
      `SELECT observed_at, received_at, status, client_id, body, ${cursorTimeSql('observed_at')} AS sort_at
       FROM reports
       WHERE service = $1 AND instance = $2
         AND ($3::timestamptz IS NULL OR observed_at < $3)
         AND ($4::timestamptz IS NULL OR observed_at >= $4)
         AND ($5::timestamptz IS NULL OR observed_at < $5)
       ORDER BY observed_at DESC
       LIMIT $6`,
      [service, name, before, f.since, f.until, f.take],
    );
  }

  /** Transitions newest first, ties on observed_at broken by id; `before` is the previous page's last (observed_at, id). */
  transitions(
    service: string,
    name: string,
    check: string | null,
    before: [string, string] | null,
    f: HistoryFilter,
  ): Promise<TransitionRow[]> {
    return this.dataSource.query(
      `SELECT id::text AS id, check_name, backend_key, from_status, to_status, observed_at, output, ${cursorTimeSql('observed_at')} AS sort_at
       FROM check_transitions
       WHERE service = $1 AND instance = $2
         AND ($3::text IS NULL OR check_name = $3)
         AND ($4::timestamptz IS NULL OR observed_at >= $4)
         AND ($5::timestamptz IS NULL OR observed_at < $5)
         -- the first bound alone is what the index can use; the second resolves ties
         AND ($6::timestamptz IS NULL OR observed_at <= $6)
         AND ($6::timestamptz IS NULL OR observed_at < $6 OR id < $7::bigint)
       ORDER BY observed_at DESC, id DESC
       LIMIT $8`,
      [service, name, check, f.since, f.until, before?.[0] ?? null, before?.[1] ?? null, f.take],
    );
  }
}
