import { NotFoundError, type Page, readCursor, readLimit, toPage } from '@faultline/platform';
import { instanceKey } from '@faultline/reports';
import { Injectable } from '@nestjs/common';

import type {
  HistoryQuery,
  InstanceDetail,
  InstanceListQuery,
  InstanceSummary,
  ReportView,
  TransitionQuery,
  TransitionView,
} from './inventory.model';
import { iso, storable } from './query-input';
import {
  type CheckStateRow,
  InstanceRepository,
  type InstanceRow,
  type ReportRow,
  type TransitionRow,
} from './repositories/instance.repository';
import { isStale } from './staleness';

/** Instances: the list, one instance with its current checks, and its history. */
@Injectable()
export class InstanceQueryService {
  constructor(private readonly instances: InstanceRepository) {}

  async list(query: InstanceListQuery): Promise<Page<InstanceSummary>> {
    const limit = readLimit(query.limit);
    const after = readCursor(query.cursor, ['text', 'text']);
    const rows = await this.instances.list({
      service: query.service ?? null,
      host: query.host ?? null,
      zone: query.zone ?? null,
      status: query.status ?? null,
      stale: query.stale ?? null,
      after: after ? [after[0], after[1]] : null,
      take: limit + 1,
    });
    return toPage(rows, limit, (r) => [r.service, r.name], toInstanceSummary);
  }

  /** One instance with its current checks; 404 when it is unknown. */
  async get(service: string, name: string): Promise<InstanceDetail> {
    if (!storable(service, name)) throw instanceNotFound(service, name);
    const [row, checks] = await Promise.all([
      this.instances.find(service, name),
      this.instances.checks(service, name),
    ]);
    if (!row) throw instanceNotFound(service, name);
    return { ...toInstanceSummary(row), checks: checks.map(toCheckView) };
  }

  /** Its raw reports, newest first. */
  async reports(service: string, name: string, query: HistoryQuery): Promise<Page<ReportView>> {
    const limit = readLimit(query.limit);
    const before = readCursor(query.cursor, ['time']);
    if (!storable(service, name)) throw instanceNotFound(service, name);
    const [exists, rows] = await Promise.all([
      this.instances.exists(service, name),
      this.instances.reports(service, name, before?.[0] ?? null, {
        since: query.since ?? null,
        until: query.until ?? null,
        take: limit + 1,
      }),
    ]);
    if (!exists) throw instanceNotFound(service, name);
    return toPage(rows, limit, (r) => [r.sort_at], toReportView);
  }

  /** Its check transitions, newest first. */
  async transitions(
    service: string,
    name: string,
    query: TransitionQuery,
  ): Promise<Page<TransitionView>> {
    const limit = readLimit(query.limit);
    const before = readCursor(query.cursor, ['time', 'id']);
    if (!storable(service, name)) throw instanceNotFound(service, name);
    const [exists, rows] = await Promise.all([
      this.instances.exists(service, name),
      this.instances.transitions(
        service,
        name,
        query.check ?? null,
        before ? [before[0], before[1]] : null,
        {
          since: query.since ?? null,
          until: query.until ?? null,
          take: limit + 1,
        },
      ),
    ]);
    if (!exists) throw instanceNotFound(service, name);
    return toPage(rows, limit, (r) => [r.sort_at, r.id], toTransitionView);
  }
}

const instanceNotFound = (service: string, name: string) =>
  new NotFoundError(`no instance ${JSON.stringify(name)} of service ${JSON.stringify(service)}`);

const toInstanceSummary = (r: InstanceRow): InstanceSummary => ({
  service: r.service,
  name: r.name,
  key: instanceKey(r.service, r.name),
  host: r.host,
  zone: r.zone,
  labels: r.labels,
  status: r.status,
  firstSeenAt: iso(r.first_seen_at),
  lastSeenAt: iso(r.last_seen_at),
  lastReceivedAt: iso(r.last_received_at),
  intervalMs: r.interval_ms,
  stale: isStale(
    r.last_seen_at.getTime(),
    r.interval_ms,
    r.event_now ? r.event_now.getTime() : null,
  ),
});

const toCheckView = (r: CheckStateRow) => ({
  name: r.name,
  target: r.target,
  backendKey: r.backend_key,
  status: r.status,
  since: iso(r.since),
  latencyMs: r.latency_ms,
  output: r.output,
});

// The stored body is the normalised report (targetKey there is the backend key).
const toReportView = (r: ReportRow): ReportView => ({
  observedAt: iso(r.observed_at),
  receivedAt: iso(r.received_at),
  status: r.status,
  host: r.body.host ?? null,
  labels: r.body.labels ?? {},
  checks: (r.body.checks ?? []).map((c) => ({
    name: c.name,
    target: c.target ?? null,
    backendKey: c.targetKey ?? null,
    status: c.status,
    latencyMs: c.latencyMs ?? null,
    output: c.output ?? null,
  })),
  id: r.client_id,
});

const toTransitionView = (r: TransitionRow): TransitionView => ({
  id: r.id,
  check: r.check_name,
  backendKey: r.backend_key,
  from: r.from_status,
  to: r.to_status,
  observedAt: iso(r.observed_at),
  output: r.output,
});
