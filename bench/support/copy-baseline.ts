import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { parseTarget, worstStatus } from '@faultline/reports';
import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { type FleetMember, observedAt, REPORT_INTERVAL_MS, reportAt } from './report-fleet';

/**
 * The ceiling the pipeline is compared with: how fast this Postgres takes the same rows by
 * COPY, one stream, no application in between. Scratch tables copy the shape (columns,
 * keys, indexes) of the real ones, so the comparison includes the same index maintenance.
 */
export interface CopyRate {
  table: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  megabytes: number;
}

const DAY_MS = 86_400_000;
const CHUNK_BYTES = 1 << 20;

/** Raw reports, as the worker stores them, into a partitioned copy of `reports`. */
export async function copyReports(
  db: Client,
  fleet: readonly FleetMember[],
  origin: number,
  rows: number,
): Promise<CopyRate> {
  const receivedAt = new Date().toISOString();
  const lines = generate(fleet, rows, (member, tick) => {
    const input = reportAt(origin, fleet, member, tick);
    // The body column holds what the worker stores: host, labels and the normalised checks.
    const checks = (input.checks ?? []).map((c) => {
      const target = c.target === undefined ? null : parseTarget(c.target);
      return {
        name: c.name,
        target: target?.display ?? null,
        targetKey: target?.key ?? null,
        status: c.status,
        latencyMs: c.latencyMs ?? null,
        output: c.output ?? null,
      };
    });
    const status = worstStatus(checks.map((c) => c.status));
    return [
      input.service,
      input.instance!,
      input.observedAt!,
      receivedAt,
      status,
      null,
      JSON.stringify({ host: input.host, labels: input.labels, checks }),
    ];
  });
  await db.query('DROP TABLE IF EXISTS bench_copy_reports');
  await db.query(
    'CREATE TABLE bench_copy_reports (LIKE reports INCLUDING ALL) PARTITION BY RANGE (observed_at)',
  );
  const lastTick = Math.ceil(rows / fleet.length);
  for (
    let day = Math.floor(origin / DAY_MS) * DAY_MS;
    day <= origin + (lastTick + 1) * REPORT_INTERVAL_MS;
    day += DAY_MS
  ) {
    const suffix = new Date(day).toISOString().slice(0, 10).replace(/-/g, '');
    await db.query(
      `CREATE TABLE bench_copy_reports_p${suffix} PARTITION OF bench_copy_reports FOR VALUES FROM ('${new Date(day).toISOString()}') TO ('${new Date(day + DAY_MS).toISOString()}')`,
    );
  }
  try {
    return await timeCopy(
      db,
      'bench_copy_reports',
      'COPY bench_copy_reports (service, instance, observed_at, received_at, status, client_id, body) FROM STDIN',
      lines,
      rows,
    );
  } finally {
    await db.query('DROP TABLE bench_copy_reports');
  }
}

/** Narrow rows: one check transition per report, into a copy of `check_transitions`. */
export async function copyTransitions(
  db: Client,
  fleet: readonly FleetMember[],
  origin: number,
  rows: number,
): Promise<CopyRate> {
  const lines = generate(fleet, rows, (member, tick) => {
    const m = fleet[member];
    return [
      m.service,
      m.instance,
      m.checks[0].name,
      parseTarget(m.checks[0].target).key,
      'pass',
      'fail',
      new Date(observedAt(origin, m, tick)).toISOString(),
      'connection refused',
    ];
  });
  await db.query('DROP TABLE IF EXISTS bench_copy_transitions');
  // INCLUDING ALL brings the id default, which draws on check_transitions' own sequence: harmless in a scratch database.
  await db.query('CREATE TABLE bench_copy_transitions (LIKE check_transitions INCLUDING ALL)');
  try {
    return await timeCopy(
      db,
      'bench_copy_transitions',
      'COPY bench_copy_transitions (service, instance, check_name, backend_key, from_status, to_status, observed_at, output) FROM STDIN',
      lines,
      rows,
    );
  } finally {
    await db.query('DROP TABLE bench_copy_transitions');
  }
}

/** Times the COPY alone: the rows are already encoded, in 1 MiB chunks. */
async function timeCopy(
  db: Client,
  table: string,
  sql: string,
  chunks: Buffer[],
  rows: number,
): Promise<CopyRate> {
  const started = performance.now();
  await pipeline(Readable.from(chunks), db.query(copyFrom(sql)));
  const seconds = (performance.now() - started) / 1000;
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  return {
    table,
    rows,
    seconds: Math.round(seconds * 100) / 100,
    rowsPerSecond: Math.round(rows / seconds),
    megabytes: Math.round(bytes / 1e5) / 10,
  };
}

/** Encodes `rows` rows (tick by tick over the fleet) in COPY text format. */
function generate(
  fleet: readonly FleetMember[],
  rows: number,
  row: (member: number, tick: number) => (string | null)[],
): Buffer[] {
  const chunks: Buffer[] = [];
  let pending: string[] = [];
  let pendingLength = 0;
  for (let r = 0; r < rows; r++) {
    const line =
      row(r % fleet.length, Math.floor(r / fleet.length))
        .map(copyField)
        .join('\t') + '\n';
    pending.push(line);
    pendingLength += line.length;
    if (pendingLength >= CHUNK_BYTES) {
      chunks.push(Buffer.from(pending.join('')));
      pending = [];
      pendingLength = 0;
    }
  }
  if (pending.length) chunks.push(Buffer.from(pending.join('')));
  return chunks;
}

/** COPY text format: \N is null; backslash, tab, newline and carriage return are escaped. */
function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(
    /[\\\t\n\r]/g,
    (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!,
  );
}
