import type { Report } from '@faultline/reports';

/**
 * How a report is kept in the `reports` table: identity, times and status in columns, the
 * rest in the `body` JSON. Written by the ingest batch, read back by replays and by the
 * correlation engine's rebuild; this file is the one place that knows the layout.
 */
export type StoredReportBody = Pick<Report, 'host' | 'labels' | 'checks' | 'periodic'>;

export const storedBody = (r: Report): StoredReportBody => ({
  host: r.host,
  labels: r.labels,
  checks: r.checks,
  ...(r.periodic === false ? { periodic: false } : {}),
});

/** The select list that `reportFromStored` reads: times come back as epoch ms, not Dates. */
export const STORED_REPORT_COLUMNS = `service, instance, (extract(epoch FROM observed_at) * 1000)::float8 AS t,
  (extract(epoch FROM received_at) * 1000)::float8 AS r, status, client_id, body`;

export interface StoredReportRow {
  service: string;
  instance: string;
  t: number;
  r: number;
  status: Report['status'];
  client_id: string | null;
  body: StoredReportBody;
}

export const reportFromStored = (row: StoredReportRow): Report => ({
  id: row.client_id,
  service: row.service,
  instance: row.instance,
  host: row.body.host,
  labels: row.body.labels,
  observedAt: row.t,
  receivedAt: row.r,
  status: row.status,
  checks: row.body.checks,
  ...(row.body.periodic === false ? { periodic: false as const } : {}),
});
