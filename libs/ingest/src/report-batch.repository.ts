import { type FaultlineConfig, InjectConfig } from '@faultline/platform';
import { parseTarget, type Report } from '@faultline/reports';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

import type { NamedEntities } from './state/seen-entities';
import {
  type CheckState,
  instanceId,
  type InstanceState,
  splitInstanceId,
  type StoredState,
  type Transition,
} from './state/state.model';
import type { CachedState, StateCache } from './state/state-cache';
import type { InstanceReplay } from './state/state-planner';
import {
  reportFromStored,
  STORED_REPORT_COLUMNS,
  storedBody,
  type StoredReportRow,
} from './stored-report';

const iso = (ms: number): string => new Date(ms).toISOString();
const ms = (value: Date | number): number => (typeof value === 'number' ? value : value.getTime());
/**
 * Timestamps cross the wire as epoch ms on the hot statements: node-pg parses a float8 far faster
 * than a timestamptz into a Date, and a number is cheaper to write than an ISO string. Exact to
 * the millisecond both ways (timestamptz keeps microseconds).
 */
const epochMs = (column: string): string => `(extract(epoch FROM ${column}) * 1000)::float8`;
const fromEpochMs = (column: string): string => `to_timestamp(${column} / 1000)`;
/** Rows travel as one JSON parameter: node-pg's array literals cost ten times more CPU to build. */
const json = (rows: readonly object[]): string => JSON.stringify(rows);
const byKey =
  <T>(key: (row: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
const instanceOrder = byKey<{ service: string; instance: string }>(
  (k) => `${k.service}\u0000${k.instance}`,
);

/**
 * The SQL of the ingest path. Every statement takes its rows as one JSON array expanded by
 * json_to_recordset, so a batch of a thousand reports costs a handful of round trips, never a
 * row per statement; the JSON keys are named after the columns they fill. Keys are sorted first
 * so concurrent batches take row locks in one order.
 */
@Injectable()
export class ReportBatchRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {}

  transaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }

  /** Records client-supplied report ids; returns the ids seen for the first time. */
  async claimClientIds(em: EntityManager, reports: readonly Report[]): Promise<Set<string>> {
    const rows = reports
      .filter((r) => r.id !== null)
      .map((r) => ({ client_id: r.id!, observed_at: iso(r.observedAt) }))
      .sort(byKey((r) => r.client_id));
    if (rows.length === 0) return new Set();
    const claimed: { client_id: string }[] = await em.query(
      `INSERT INTO report_ids (client_id, observed_at)
       SELECT client_id, observed_at FROM json_to_recordset($1::json) AS x(client_id text, observed_at timestamptz)
       ON CONFLICT DO NOTHING RETURNING client_id`,
      [json(rows)],
    );
    return new Set(claimed.map((r) => r.client_id));
  }

  /** Inserts raw reports; returns the identities (service, instance, observedAt) that were new. */
  async insertReports(em: EntityManager, reports: readonly Report[]): Promise<Set<string>> {
    if (reports.length === 0) return new Set();
    // The body travels as a JSON string inside the JSON rows: Postgres then parses it once, into
    // jsonb, instead of parsing it as JSON and again into jsonb (a third less of the insert's CPU).
    const rows = reports.map((r) => ({
      service: r.service,
      instance: r.instance,
      observed_ms: r.observedAt,
      received_ms: r.receivedAt,
      status: r.status,
      client_id: r.id,
      body: JSON.stringify(storedBody(r)),
    }));
    const inserted = await em.query<{ service: string; instance: string; observed_ms: number }[]>(
      `INSERT INTO reports (service, instance, observed_at, received_at, status, client_id, body)
       SELECT service, instance, ${fromEpochMs('observed_ms')}, ${fromEpochMs('received_ms')}, status, client_id, body::jsonb
       FROM json_to_recordset($1::json) AS x(service text, instance text, observed_ms float8, received_ms float8, status text, client_id text, body text)
       ON CONFLICT DO NOTHING RETURNING service, instance, ${epochMs('observed_at')} AS observed_ms`,
      [json(rows)],
    );
    return new Set(inserted.map((r) => reportIdentity(r.service, r.instance, r.observed_ms)));
  }

  /** Creates the services, hosts and backends `named`, when they are new (see namedEntities). */
  async upsertEntities(em: EntityManager, named: NamedEntities): Promise<void> {
    const { services, hosts, backends } = named;
    // DO NOTHING, then an UPDATE of only the rows that change: DO UPDATE ... WHERE would lock
    // every conflicting row until commit, serialising concurrent batches on popular hosts.
    if (services.size) {
      const rows = json(
        [...services]
          .map(([name, at]) => ({ name, first_seen_at: iso(at) }))
          .sort(byKey((r) => r.name)),
      );
      await em.query(
        `INSERT INTO services (name, first_seen_at) SELECT name, first_seen_at
         FROM json_to_recordset($1::json) AS x(name text, first_seen_at timestamptz) ON CONFLICT DO NOTHING`,
        [rows],
      );
      await em.query(
        `UPDATE services s SET first_seen_at = x.first_seen_at FROM json_to_recordset($1::json) AS x(name text, first_seen_at timestamptz)
         WHERE s.name = x.name AND x.first_seen_at < s.first_seen_at`,
        [rows],
      );
    }
    if (hosts.size) {
      const rows = json(
        [...hosts]
          .map(([name, h]) => ({ name, zone: h.zone, first_seen_at: iso(h.at) }))
          .sort(byKey((r) => r.name)),
      );
      await em.query(
        `INSERT INTO hosts (name, zone, first_seen_at) SELECT name, zone, first_seen_at
         FROM json_to_recordset($1::json) AS x(name text, zone text, first_seen_at timestamptz) ON CONFLICT DO NOTHING`,
        [rows],
      );
      await em.query(
        `UPDATE hosts h SET zone = x.zone FROM json_to_recordset($1::json) AS x(name text, zone text, first_seen_at timestamptz)
         WHERE h.name = x.name AND x.zone IS NOT NULL AND h.zone IS DISTINCT FROM x.zone`,
        [rows],
      );
    }
    if (backends.size) {
      const rows = [...backends]
        .map(([key, b]) => {
          const parsed = parseTarget(b.target);
          return {
            key,
            scheme: parsed.scheme,
            host: parsed.host,
            port: parsed.port,
            first_seen_at: iso(b.at),
          };
        })
        .sort(byKey((r) => r.key));
      await em.query(
        `INSERT INTO backends (key, scheme, host, port, first_seen_at)
         SELECT key, scheme, host, port, first_seen_at
         FROM json_to_recordset($1::json) AS x(key text, scheme text, host text, port int, first_seen_at timestamptz) ON CONFLICT DO NOTHING`,
        [json(rows)],
      );
    }
  }

  /**
   * Makes sure every instance exists, then locks their rows (in key order) and returns their
   * state and their checks' state, by instance id. A new instance starts with lastSeenAt =
   * -Infinity. Under the lock only each row's `state_version` is read: where `cache` holds that
   * version its copy is used, and only the other instances' rows and checks are read.
   */
  async lockState(
    em: EntityManager,
    reports: readonly Report[],
    cache: StateCache,
  ): Promise<Map<string, CachedState>> {
    const keys = [
      ...new Map(
        reports.map((r) => [
          instanceId(r.service, r.instance),
          { service: r.service, instance: r.instance },
        ]),
      ).values(),
    ].sort(instanceOrder);
    const param = json(keys);
    // Rows this worker has written exist: only a batch naming another instance inserts.
    if (keys.some((k) => !cache.knows(instanceId(k.service, k.instance))))
      await em.query(
        `INSERT INTO instances (service, name, status, first_seen_at, last_seen_at, last_received_at)
         SELECT service, instance, 'pass', 'infinity', '-infinity', '-infinity' FROM json_to_recordset($1::json) AS k(service text, instance text)
         ON CONFLICT DO NOTHING`,
        [param],
      );
    const locked: { service: string; name: string; version: number }[] = await em.query(
      `SELECT i.service, i.name, i.state_version::float8 AS version
       FROM instances i JOIN json_to_recordset($1::json) AS k(service text, instance text) ON i.service = k.service AND i.name = k.instance
       ORDER BY i.service, i.name FOR UPDATE OF i`,
      [param],
    );
    if (locked.length < keys.length) {
      // A row the cache vouched for is gone: forget the cache; the retried batch inserts it.
      cache.clear();
      throw new Error('instance rows missing under the lock; the batch will be retried');
    }
    const states = new Map<string, CachedState>();
    const misses: { service: string; instance: string; version: number }[] = [];
    for (const row of locked) {
      const id = instanceId(row.service, row.name);
      const cached = cache.current(id, row.version);
      if (cached) states.set(id, cached);
      else misses.push({ service: row.service, instance: row.name, version: row.version });
    }
    if (misses.length > 0) await this.readState(em, misses, states);
    return states;
  }

  /** Reads the rows and check rows of locked instances the cache could not vouch for. */
  private async readState(
    em: EntityManager,
    misses: readonly { service: string; instance: string; version: number }[],
    into: Map<string, CachedState>,
  ): Promise<void> {
    const param = json(misses.map((m) => ({ service: m.service, instance: m.instance })));
    const instanceRows: InstanceRow[] = await em.query(
      `SELECT i.service, i.name, i.host, i.zone, i.labels, i.status, ${epochMs('i.first_seen_at')} AS first_seen_at,
         ${epochMs('i.last_seen_at')} AS last_seen_at, ${epochMs('i.last_received_at')} AS last_received_at, i.interval_ms
       FROM instances i JOIN json_to_recordset($1::json) AS k(service text, instance text) ON i.service = k.service AND i.name = k.instance`,
      [param],
    );
    const checkRows: CheckRow[] = await em.query(
      `SELECT c.service, c.instance, c.name, c.target, c.backend_key, c.status, ${epochMs('c.since')} AS since, c.latency_ms, c.output
       FROM check_states c JOIN json_to_recordset($1::json) AS k(service text, instance text) ON c.service = k.service AND c.instance = k.instance`,
      [param],
    );
    const versions = new Map(misses.map((m) => [instanceId(m.service, m.instance), m.version]));
    for (const row of instanceRows) {
      const id = instanceId(row.service, row.name);
      into.set(id, {
        version: versions.get(id)!,
        instance: toInstanceState(row),
        checks: new Map(),
      });
    }
    for (const row of checkRows)
      into.get(instanceId(row.service, row.instance))!.checks.set(row.name, toCheckState(row));
  }

  /**
   * For instances that received late reports: their stored reports from the oldest late one
   * on (this batch's included, as it is inserted in the same transaction), and their check
   * states just before it, from the last transition before it or, when the current state
   * began earlier, the current state itself.
   *
   * A replay is bounded (LATE_REPLAY_MAX_REPORTS, LATE_REPLAY_MAX_AGE_MS): it never starts
   * before the instance's floor, the later of its newest report minus the age bound and its
   * n-th newest stored report. A late report older than the floor starts the replay at the
   * floor, which the replay carries: the planner leaves reports older than it as history only.
   */
  async loadReplays(
    em: EntityManager,
    lateFrom: ReadonlyMap<string, number>,
    current: ReadonlyMap<string, StoredState>,
  ): Promise<Map<string, InstanceReplay>> {
    const floors = await this.replayFloors(em, [...lateFrom.keys()]);
    const starts = new Map<string, number>();
    for (const [id, from] of lateFrom) starts.set(id, Math.max(from, floors.get(id) ?? -Infinity));
    const keys = [...starts].map(([id, from]) => ({ ...splitInstanceId(id), from }));
    if (keys.length === 0) return new Map();
    const param = json(
      keys.map((k) => ({ service: k.service, instance: k.instance, observed_from: iso(k.from) })),
    );
    // USING merges k's service and instance into the report's, so the unqualified stored-report
    // columns stay unambiguous.
    const reportRows: StoredReportRow[] = await em.query(
      `SELECT ${STORED_REPORT_COLUMNS}
       FROM reports r JOIN json_to_recordset($1::json) AS k(service text, instance text, observed_from timestamptz)
         USING (service, instance)
       WHERE r.observed_at >= k.observed_from
       ORDER BY r.service, r.instance, r.observed_at`,
      [param],
    );
    const transitionRows: {
      service: string;
      instance: string;
      check_name: string;
      backend_key: string | null;
      to_status: CheckState['status'];
      observed_at: Date;
      output: string | null;
    }[] = await em.query(
      `SELECT DISTINCT ON (t.service, t.instance, t.check_name) t.service, t.instance, t.check_name, t.backend_key, t.to_status, t.observed_at, t.output
         FROM check_transitions t JOIN json_to_recordset($1::json) AS k(service text, instance text, observed_from timestamptz)
           ON t.service = k.service AND t.instance = k.instance AND t.observed_at < k.observed_from
         ORDER BY t.service, t.instance, t.check_name, t.observed_at DESC, t.id DESC`,
      [param],
    );
    const replays = new Map<string, InstanceReplay>(
      keys.map((k) => {
        const id = instanceId(k.service, k.instance);
        const floor = floors.get(id) ?? -Infinity;
        return [id, { from: k.from, reports: [], baseline: new Map(), floor }];
      }),
    );
    for (const row of reportRows)
      replays.get(instanceId(row.service, row.instance))!.reports.push(reportFromStored(row));
    for (const [id, replay] of replays)
      for (const check of current.get(id)?.checks.values() ?? [])
        if (check.since < replay.from) replay.baseline.set(check.name, check);
    for (const t of transitionRows) {
      const replay = replays.get(instanceId(t.service, t.instance))!;
      if (replay.baseline.has(t.check_name)) continue;
      const target =
        replay.reports.flatMap((r) => r.checks).find((c) => c.name === t.check_name)?.target ??
        null;
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

  /**
   * Per instance, the oldest event time a replay may start at: its newest report (the
   * watermark) minus LATE_REPLAY_MAX_AGE_MS, or its LATE_REPLAY_MAX_REPORTS-th newest stored
   * report when that is later. One index probe per instance, whatever its history.
   */
  private async replayFloors(
    em: EntityManager,
    ids: readonly string[],
  ): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows: { service: string; instance: string; floor_ms: number | null }[] = await em.query(
      `SELECT k.service, k.instance, (extract(epoch FROM GREATEST(
           i.last_seen_at - make_interval(secs => $2::float8 / 1000),
           (SELECT r.observed_at FROM reports r WHERE r.service = k.service AND r.instance = k.instance
            ORDER BY r.observed_at DESC OFFSET $3::int - 1 LIMIT 1))) * 1000)::float8 AS floor_ms
       FROM json_to_recordset($1::json) AS k(service text, instance text)
       JOIN instances i ON i.service = k.service AND i.name = k.instance`,
      [
        json(ids.map(splitInstanceId)),
        this.config.LATE_REPLAY_MAX_AGE_MS,
        this.config.LATE_REPLAY_MAX_REPORTS,
      ],
    );
    return new Map(
      rows.map((r) => [instanceId(r.service, r.instance), Number(r.floor_ms ?? -Infinity)]),
    );
  }

  /** Removes the transitions a replay recomputes. */
  async deleteTransitionsFrom(
    em: EntityManager,
    replayed: readonly { service: string; instance: string; from: number }[],
  ): Promise<void> {
    if (replayed.length === 0) return;
    await em.query(
      `DELETE FROM check_transitions t USING json_to_recordset($1::json) AS k(service text, instance text, observed_from timestamptz)
       WHERE t.service = k.service AND t.instance = k.instance AND t.observed_at >= k.observed_from`,
      [
        json(
          replayed.map((r) => ({
            service: r.service,
            instance: r.instance,
            observed_from: iso(r.from),
          })),
        ),
      ],
    );
  }

  /**
   * Writes instance rows, stamping each with the batch's state version. Labels are sent only
   * where they differ from `before` (Postgres parses each into jsonb: most of a row's cost).
   */
  async writeInstances(
    em: EntityManager,
    rows: readonly InstanceState[],
    version: number,
    before: ReadonlyMap<string, StoredState>,
  ): Promise<void> {
    if (rows.length === 0) return;
    const param = rows.map((r) => ({
      service: r.service,
      name: r.name,
      host: r.host,
      zone: r.zone,
      labels: sameLabels(before.get(instanceId(r.service, r.name))?.instance.labels, r.labels)
        ? null
        : r.labels,
      status: r.status,
      first_seen_ms: r.firstSeenAt,
      last_seen_ms: r.lastSeenAt,
      last_received_ms: r.lastReceivedAt,
      interval_ms: r.intervalMs,
    }));
    await em.query(
      `UPDATE instances i SET host = u.host, zone = u.zone, labels = COALESCE(u.labels, i.labels), status = u.status,
              first_seen_at = ${fromEpochMs('u.first_seen_ms')}, last_seen_at = ${fromEpochMs('u.last_seen_ms')},
              last_received_at = ${fromEpochMs('u.last_received_ms')}, interval_ms = u.interval_ms, state_version = $2
       FROM json_to_recordset($1::json) AS u(service text, name text, host text, zone text, labels jsonb, status text,
         first_seen_ms float8, last_seen_ms float8, last_received_ms float8, interval_ms int)
       WHERE i.service = u.service AND i.name = u.name`,
      [json(param), version],
    );
  }

  async writeChecks(em: EntityManager, rows: readonly CheckState[]): Promise<void> {
    if (rows.length === 0) return;
    const param = rows.map((r) => ({
      service: r.service,
      instance: r.instance,
      name: r.name,
      target: r.target,
      backend_key: r.backendKey,
      status: r.status,
      since: iso(r.since),
      latency_ms: r.latencyMs,
      output: r.output,
    }));
    await em.query(
      `INSERT INTO check_states (service, instance, name, target, backend_key, status, since, latency_ms, output)
       SELECT service, instance, name, target, backend_key, status, since, latency_ms, output
       FROM json_to_recordset($1::json) AS x(service text, instance text, name text, target text, backend_key text, status text,
         since timestamptz, latency_ms float8, output text)
       ON CONFLICT (service, instance, name) DO UPDATE SET target = EXCLUDED.target, backend_key = EXCLUDED.backend_key,
         status = EXCLUDED.status, since = EXCLUDED.since, latency_ms = EXCLUDED.latency_ms, output = EXCLUDED.output`,
      [json(param)],
    );
  }

  async insertTransitions(em: EntityManager, rows: readonly Transition[]): Promise<void> {
    if (rows.length === 0) return;
    const param = rows.map((r) => ({
      service: r.service,
      instance: r.instance,
      check_name: r.checkName,
      backend_key: r.backendKey,
      from_status: r.from,
      to_status: r.to,
      observed_at: iso(r.observedAt),
      output: r.output,
    }));
    await em.query(
      `INSERT INTO check_transitions (service, instance, check_name, backend_key, from_status, to_status, observed_at, output)
       SELECT service, instance, check_name, backend_key, from_status, to_status, observed_at, output
       FROM json_to_recordset($1::json) AS x(service text, instance text, check_name text, backend_key text, from_status text,
         to_status text, observed_at timestamptz, output text)`,
      [json(param)],
    );
  }
}

function sameLabels(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>>,
): boolean {
  if (!a) return false;
  const keys = Object.keys(b);
  if (Object.keys(a).length !== keys.length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

/** The services, hosts and backends these reports name, each with its earliest event time. */
export function namedEntities(reports: readonly Report[]): NamedEntities {
  const services = new Map<string, number>();
  const hosts = new Map<string, { zone: string | null; at: number }>();
  const backends = new Map<string, { target: string; at: number }>();
  for (const r of reports) {
    services.set(r.service, Math.min(services.get(r.service) ?? Infinity, r.observedAt));
    if (r.host)
      hosts.set(r.host, {
        zone: r.labels.zone ?? null,
        at: Math.min(hosts.get(r.host)?.at ?? Infinity, r.observedAt),
      });
    for (const c of r.checks) {
      if (c.targetKey && c.target)
        backends.set(c.targetKey, {
          target: c.target,
          at: Math.min(backends.get(c.targetKey)?.at ?? Infinity, r.observedAt),
        });
    }
  }
  return { services, hosts, backends };
}

export const reportIdentity = (service: string, instance: string, observedAt: number): string =>
  `${service}\u0000${instance}\u0000${observedAt}`;

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

interface CheckRow {
  service: string;
  instance: string;
  name: string;
  target: string | null;
  backend_key: string | null;
  status: CheckState['status'];
  since: Date | number;
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
