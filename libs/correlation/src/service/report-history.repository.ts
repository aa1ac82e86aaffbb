import { reportFromStored, STORED_REPORT_COLUMNS, type StoredReportRow } from '@faultline/ingest';
import type { Report } from '@faultline/reports';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

const PAGE = 5000;

/** Reads stored reports back in event-time order, to rebuild the engine after a restart. */
@Injectable()
export class ReportHistoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The newest observedAt stored, or null when nothing is. */
  async newestObservedAt(): Promise<number | null> {
    const [row] = await this.dataSource.query<{ t: number | null }[]>(
      `SELECT (extract(epoch FROM max(last_seen_at)) * 1000)::float8 AS t FROM instances WHERE last_seen_at > '-infinity'`,
    );
    return row?.t ?? null;
  }

  /** Every report observed at or after `from`, oldest first, a page at a time (keyset, never OFFSET). */
  async *since(from: number): AsyncGenerator<Report[]> {
    let after: { t: string; s: string; i: string } = {
      t: new Date(from - 1).toISOString(),
      s: '',
      i: '',
    };
    for (;;) {
      const rows: (StoredReportRow & { o: string })[] = await this.dataSource.query(
        `SELECT ${STORED_REPORT_COLUMNS}, observed_at::text AS o
         FROM reports WHERE (observed_at, service, instance) > ($1::timestamptz, $2, $3) AND observed_at >= $4::timestamptz
         ORDER BY observed_at, service, instance LIMIT ${PAGE}`,
        [after.t, after.s, after.i, new Date(from).toISOString()],
      );
      if (rows.length === 0) return;
      yield rows.map(reportFromStored);
      const last = rows[rows.length - 1];
      after = { t: last.o, s: last.service, i: last.instance };
      if (rows.length < PAGE) return;
    }
  }
}
