import { parseTarget, type Report } from '@faultline/reports';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { CheckState, InstanceState, Transition } from './state/state.model';
import type { InstanceReplay } from './state/state-planner';
import { checkId, instanceId, splitInstanceId } from './state/state.model';

const iso = (ms: number): string => new Date(ms).toISOString();
const ms = (value: Date | number): number => (typeof value === 'number' ? value : value.getTime());

/**
 * The SQL of the ingest path. Every write is one multi-row statement over unnest() arrays,
 * so a batch of a thousand reports costs a handful of round trips, never a row per statement.
 * Keys are sorted before inserting so concurrent batches take row locks in the same order.
 */
@Injectable()
export class ReportBatchRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }

  /** Records client-supplied report ids; returns the ids seen for the first time. */
  async claimClientIds(em: EntityManager, reports: readonly Report[]): Promise<Set<string>> {
    const withId = reports.filter((r) => r.id !== null).sort((a, b) => (a.id! < b.id! ? -1 : 1));
    if (withId.length === 0) return new Set();
    const rows: { client_id: string }[] = await em.query(
      `INSERT INTO report_ids (client_id, observed_at)
       SELECT * FROM unnest($1::text[], $2::timestamptz[]) ON CONFLICT DO NOTHING RETURNING client_id`,
      [withId.map((r) => r.id), withId.map((r) => iso(r.observedAt))],
    );
    return new Set(rows.map((r) => r.client_id));
  }

  /** Inserts raw reports; returns the identities (service, instance, observedAt) that were new. */
  async insertReports(em: EntityManager, reports: readonly Report[]): Promise<Set<string>> {
    if (reports.length === 0) return new Set();
    const rows: { service: string; instance: string; observed_at: Date }[] = await em.query(
      `INSERT INTO reports (service, instance, observed_at, received_at, status, client_id, body)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::jsonb[])
       ON CONFLICT DO NOTHING RETURNING service, instance, observed_at`,
      [
        reports.map((r) => r.service),
        reports.map((r) => r.instance),
        reports.map((r) => iso(r.observedAt)),
        reports.map((r) => iso(r.receivedAt)),
        reports.map((r) => r.status),
        reports.map((r) => r.id),
        reports.map((r) => JSON.stringify({ host: r.host, labels: r.labels, checks: r.checks })),
      ],
    );
    return new Set(rows.map((r) => reportIdentity(r.service, r.instance, ms(r.observed_at))));
  }

  /** Creates the services, hosts and backends these reports name, when they are new. */
  async upsertEntities(em: EntityManager, reports: readonly Report[]): Promise<void> {
    const services = new Map<string, number>();
    const hosts = new Map<string, { zone: string | null; at: number }>();
    const backends = new Map<string, { target: string; at: number }>();
    for (const r of reports) {
      services.set(r.service, Math.min(services.get(r.service) ?? Infinity, r.observedAt));
      if (r.host) hosts.set(r.host, { zone: r.labels.zone ?? null, at: Math.min(hosts.get(r.host)?.at ?? Infinity, r.observedAt) });
      for (const c of r.checks) {
        if (c.targetKey && c.target) backends.set(c.targetKey, { target: c.target, at: Math.min(backends.get(c.targetKey)?.at ?? Infinity, r.observedAt) });
      }
    }
    const sortedServices = [...services].sort(([a], [b]) => (a < b ? -1 : 1));
    await em.query(
      `INSERT INTO services (name, first_seen_at) SELECT * FROM unnest($1::text[], $2::timestamptz[])
       ON CONFLICT (name) DO UPDATE SET first_seen_at = LEAST(services.first_seen_at, EXCLUDED.first_seen_at)
       WHERE EXCLUDED.first_seen_at < services.first_seen_at`,
      [sortedServices.map(([n]) => n), sortedServices.map(([, at]) => iso(at))],
    );
    if (hosts.size) {
      const sorted = [...hosts].sort(([a], [b]) => (a < b ? -1 : 1));
      await em.query(
        `INSERT INTO hosts (name, zone, first_seen_at) SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
         ON CONFLICT (name) DO UPDATE SET zone = EXCLUDED.zone WHERE hosts.zone IS DISTINCT FROM EXCLUDED.zone AND EXCLUDED.zone IS NOT NULL`,
        [sorted.map(([n]) => n), sorted.map(([, h]) => h.zone), sorted.map(([, h]) => iso(h.at))],
      );
    }
    if (backends.size) {
      const sorted = [...backends].sort(([a], [b]) => (a < b ? -1 : 1));
      const parsed = sorted.map(([, b]) => parseTarget(b.target));
      await em.query(
        `INSERT INTO backends (key, scheme, host, port, first_seen_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::timestamptz[]) ON CONFLICT DO NOTHING`,
        [sorted.map(([k]) => k), parsed.map((p) => p.scheme), parsed.map((p) => p.host), parsed.map((p) => p.port), sorted.map(([, b]) => iso(b.at))],
      );
    }
  }

  /**
   * Makes sure every instance exists, then locks their rows (in key order) and loads their
   * state and their checks' state. A new instance starts with lastSeenAt = -Infinity.
   */
  async lockState(em: EntityManager, reports: readonly Report[]): Promise<{ instances: Map<string, InstanceState>; checks: Map<string, CheckState> }> {
    const keys = [...new Map(reports.map((r) => [instanceId(r.service, r.instance), r])).values()].sort((a, b) =>
      a.service === b.service ? (a.instance < b.instance ? -1 : 1) : a.service < b.service ? -1 : 1,
    );
    const services = keys.map((r) => r.service);
    const names = keys.map((r) => r.instance);
    await em.query(
      `INSERT INTO instances (service, name, status, first_seen_at, last_seen_at, last_received_at)
       SELECT s, n, 'pass', 'infinity', '-infinity', '-infinity' FROM unnest($1::text[], $2::text[]) AS k(s, n)
       ON CONFLICT DO NOTHING`,
      [services, names],
    );
    const instanceRows: InstanceRow[] = await em.query(
      `SELECT i.service, i.name, i.host, i.zone, i.labels, i.status, i.first_seen_at, i.last_seen_at, i.last_received_at, i.interval_ms
       FROM instances i JOIN unnest($1::text[], $2::text[]) AS k(s, n) ON i.service = k.s AND i.name = k.n
       ORDER BY i.service, i.name FOR UPDATE OF i`,
      [services, names],
    );
    const checkRows: CheckRow[] = await em.query(
      `SELECT c.service, c.instance, c.name, c.target, c.backend_key, c.status, c.since, c.latency_ms, c.output
       FROM check_states c JOIN unnest($1::text[], $2::text[]) AS k(s, n) ON c.service = k.s AND c.instance = k.n`,
      [services, names],
    );
    return {
      instances: new Map(instanceRows.map((r) => [instanceId(r.service, r.name), toInstanceState(r)])),
      checks: new Map(checkRows.map((r) => [checkId(r.service, r.instance, r.name), toCheckState(r)])),
    };
  }

  /**
   * For instances that received late reports: their stored reports from the oldest late one
   * on (this batch's included, as it is inserted in the same transaction), and their check
   * states just before it, from the last transition before it or, when the current state
   * began earlier, the current state itself.
   */
  async loadReplays(em: EntityManager, starts: ReadonlyMap<string, number>, current: ReadonlyMap<string, CheckState>): Promise<Map<string, InstanceReplay>> {
    const keys = [...starts].map(([id, from]) => ({ ...splitInstanceId(id), from }));
    if (keys.length === 0) return new Map();
    const params = [keys.map((k) => k.service), keys.map((k) => k.instance), keys.map((k) => iso(k.from))];
    const reportRows: StoredReportRow[] = await em.query(
      `SELECT r.service, r.instance, r.observed_at, r.received_at, r.status, r.client_id, r.body
       FROM reports r JOIN unnest($1::text[], $2::text[], $3::timestamptz[]) AS k(s, i, f)
         ON r.service = k.s AND r.instance = k.i AND r.observed_at >= k.f
       ORDER BY r.service, r.instance, r.observed_at`,
      params,
    );
    const transitionRows: { service: string; instance: string; check_name: string; backend_key: string | null; to_status: CheckState['status']; observed_at: Date; output: string | null }[] =
      await em.query(
        `SELECT DISTINCT ON (t.service, t.instance, t.check_name) t.service, t.instance, t.check_name, t.backend_key, t.to_status, t.observed_at, t.output
         FROM check_transitions t JOIN unnest($1::text[], $2::text[], $3::timestamptz[]) AS k(s, i, f)
           ON t.service = k.s AND t.instance = k.i AND t.observed_at < k.f
         ORDER BY t.service, t.instance, t.check_name, t.observed_at DESC, t.id DESC`,
        params,
      );
    const replays = new Map<string, InstanceReplay>(keys.map((k) => [instanceId(k.service, k.instance), { from: k.from, reports: [], baseline: new Map() }]));
    for (const row of reportRows) replays.get(instanceId(row.service, row.instance))!.reports.push(toReport(row));
    for (const state of current.values()) {
      const replay = replays.get(instanceId(state.service, state.instance));
      if (replay && state.since < replay.from) replay.baseline.set(state.name, state);
    }
    for (const t of transitionRows) {
      const replay = replays.get(instanceId(t.service, t.instance))!;
      if (replay.baseline.has(t.check_name)) continue;
      const target = replay.reports.flatMap((r) => r.checks).find((c) => c.name === t.check_name)?.target ?? null;
      replay.baseline.set(t.check_name, {
        service: t.service,
        instance: t.instance,
        name: t.check_name,
        target,
        backendKey: t.backend_key,
        status: t.to_status,
        since: ms(t.observed_at),
        latencyMs: null,
        output: t.output,
      });
    }
    return replays;
  }

  /** Removes the transitions a replay recomputes. */
  async deleteTransitionsFrom(em: EntityManager, replayed: readonly { service: string; instance: string; from: number }[]): Promise<void> {
    if (replayed.length === 0) return;
    await em.query(
      `DELETE FROM check_transitions t USING unnest($1::text[], $2::text[], $3::timestamptz[]) AS k(s, i, f)
       WHERE t.service = k.s AND t.instance = k.i AND t.observed_at >= k.f`,
      [replayed.map((r) => r.service), replayed.map((r) => r.instance), replayed.map((r) => iso(r.from))],
    );
  }

  async writeInstances(em: EntityManager, rows: readonly InstanceState[]): Promise<void> {
    if (rows.length === 0) return;
    await em.query(
      `UPDATE instances i SET host = u.host, zone = u.zone, labels = u.labels, status = u.status, first_seen_at = u.first_seen_at,
              last_seen_at = u.last_seen_at, last_received_at = u.last_received_at, interval_ms = u.interval_ms
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::int[])
         AS u(service, name, host, zone, labels, status, first_seen_at, last_seen_at, last_received_at, interval_ms)
       WHERE i.service = u.service AND i.name = u.name`,
      [
        rows.map((r) => r.service),
        rows.map((r) => r.name),
        rows.map((r) => r.host),
        rows.map((r) => r.zone),
        rows.map((r) => JSON.stringify(r.labels)),
        rows.map((r) => r.status),
        rows.map((r) => iso(r.firstSeenAt)),
        rows.map((r) => iso(r.lastSeenAt)),
        rows.map((r) => iso(r.lastReceivedAt)),
        rows.map((r) => r.intervalMs),
      ],
    );
  }

  async writeChecks(em: EntityManager, rows: readonly CheckState[]): Promise<void> {
    if (rows.length === 0) return;
    await em.query(
      `INSERT INTO check_states (service, instance, name, target, backend_key, status, since, latency_ms, output)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::float8[], $9::text[])
       ON CONFLICT (service, instance, name) DO UPDATE SET target = EXCLUDED.target, backend_key = EXCLUDED.backend_key,
         status = EXCLUDED.status, since = EXCLUDED.since, latency_ms = EXCLUDED.latency_ms, output = EXCLUDED.output`,
      [
        rows.map((r) => r.service),
        rows.map((r) => r.instance),
        rows.map((r) => r.name),
        rows.map((r) => r.target),
        rows.map((r) => r.backendKey),
        rows.map((r) => r.status),
        rows.map((r) => iso(r.since)),
        rows.map((r) => r.latencyMs),
        rows.map((r) => r.output),
      ],
    );
  }

  async insertTransitions(em: EntityManager, rows: readonly Transition[]): Promise<void> {
    if (rows.length === 0) return;
    await em.query(
      `INSERT INTO check_transitions (service, instance, check_name, backend_key, from_status, to_status, observed_at, output)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[])`,
      [
        rows.map((r) => r.service),
        rows.map((r) => r.instance),
        rows.map((r) => r.checkName),
        rows.map((r) => r.backendKey),
        rows.map((r) => r.from),
        rows.map((r) => r.to),
        rows.map((r) => iso(r.observedAt)),
        rows.map((r) => r.output),
      ],
    );
  }
}

export const reportIdentity = (service: string, instance: string, observedAt: number): string => `${service}\u0000${instance}\u0000${observedAt}`;

interface InstanceRow {
  service: string;
  name: string;
  host: string | null;
  zone: string | null;
  labels: Record<string, string>;
  status: InstanceState['status'];
  first_seen_at: Date | number;
  last_seen_at: Date | number;
  last_received_at: Date | number;
  interval_ms: number | null;
}

interface StoredReportRow {
  service: string;
  instance: string;
  observed_at: Date;
  received_at: Date;
  status: Report['status'];
  client_id: string | null;
  body: { host: string | null; labels: Record<string, string>; checks: Report['checks'] };
}

const toReport = (r: StoredReportRow): Report => ({
  id: r.client_id,
  service: r.service,
  instance: r.instance,
  host: r.body.host,
  labels: r.body.labels,
  observedAt: ms(r.observed_at),
  receivedAt: ms(r.received_at),
  status: r.status,
  checks: r.body.checks,
});

interface CheckRow {
  service: string;
  instance: string;
  name: string;
  target: string | null;
  backend_key: string | null;
  status: CheckState['status'];
  since: Date;
  latency_ms: number | null;
  output: string | null;
}

const toInstanceState = (r: InstanceRow): InstanceState => ({
  service: r.service,
  name: r.name,
  host: r.host,
  zone: r.zone,
  labels: r.labels,
  status: r.status,
  firstSeenAt: ms(r.first_seen_at),
  lastSeenAt: ms(r.last_seen_at),
  lastReceivedAt: ms(r.last_received_at),
  intervalMs: r.interval_ms,
});

const toCheckState = (r: CheckRow): CheckState => ({
  service: r.service,
  instance: r.instance,
  name: r.name,
  target: r.target,
  backendKey: r.backend_key,
  status: r.status,
  since: ms(r.since),
  latencyMs: r.latency_ms,
  output: r.output,
});
