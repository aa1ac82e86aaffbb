import type { Report } from '@faultline/reports';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

const PAGE = 5000;

interface StoredReportRow {
  service: string;
  instance: string;
  t: number;
  r: number;
  status: Report['status'];
  client_id: string | null;
  body: { host: string | null; labels: Record<string, string>; checks: Report['checks'] };
}

/** Reads stored reports back in event-time order, to rebuild the engine after a restart. */
@Injectable()
export class ReportHistoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The newest observedAt stored, or null when nothing is. */
  async newestObservedAt(): Promise<number | null> {
    const [row] = await this.dataSource.query(`SELECT (extract(epoch FROM max(last_seen_at)) * 1000)::float8 AS t FROM instances WHERE last_seen_at > '-infinity'`);
    return row?.t ?? null;
  }

  /** Every report observed at or after `from`, oldest first, a page at a time (keyset, never OFFSET). */
  async *since(from: number): AsyncGenerator<Report[]> {
    let after: { t: string; s: string; i: string } = { t: new Date(from - 1).toISOString(), s: '', i: '' };
    for (;;) {
      const rows: (StoredReportRow & { o: string })[] = await this.dataSource.query(
        `SELECT service, instance, observed_at::text AS o, (extract(epoch FROM observed_at) * 1000)::float8 AS t,
                (extract(epoch FROM received_at) * 1000)::float8 AS r, status, client_id, body
         FROM reports WHERE (observed_at, service, instance) > ($1::timestamptz, $2, $3) AND observed_at >= $4::timestamptz
         ORDER BY observed_at, service, instance LIMIT ${PAGE}`,
        [after.t, after.s, after.i, new Date(from).toISOString()],
      );
      if (rows.length === 0) return;
      yield rows.map((row) => ({
        id: row.client_id,
        service: row.service,
        instance: row.instance,
        host: row.body.host,
        labels: row.body.labels,
        observedAt: row.t,
        receivedAt: row.r,
        status: row.status,
        checks: row.body.checks,
      }));
      const last = rows[rows.length - 1];
      after = { t: last.o, s: last.service, i: last.instance };
      if (rows.length < PAGE) return;
    }
  }
}
