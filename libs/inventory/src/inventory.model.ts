import type { Status } from '@faultline/reports';

/**
 * What the inventory API returns and accepts. These are views for clients, built from rows by
 * the query services: times are RFC 3339 strings, keys are entity keys (docs/CONTRACT.md).
 */

export interface ServiceSummary {
  name: string;
  /** `service:<name>` */
  key: string;
  firstSeenAt: string;
  instances: number;
  /** Instances whose current status is fail. */
  failing: number;
  stale: number;
  /** The worst current status of its instances. */
  status: Status;
}

export interface InstanceSummary {
  service: string;
  name: string;
  /** `instance:<service>/<name>` */
  key: string;
  host: string | null;
  zone: string | null;
  labels: Record<string, string>;
  status: Status;
  firstSeenAt: string;
  /** observedAt of the newest report applied (event time). */
  lastSeenAt: string;
  /** When that newest report was received (wall clock). */
  lastReceivedAt: string;
  /** The usual gap between its reports, learned from them; null after a single report. */
  intervalMs: number | null;
  stale: boolean;
}

export interface CheckView {
  name: string;
  target: string | null;
  backendKey: string | null;
  status: Status;
  /** Event time of the report that put the check in this status. */
  since: string;
  latencyMs: number | null;
  output: string | null;
}

export interface InstanceDetail extends InstanceSummary {
  checks: CheckView[];
}

export interface ReportCheckView {
  name: string;
  target: string | null;
  backendKey: string | null;
  status: Status;
  latencyMs: number | null;
  output: string | null;
}

export interface ReportView {
  observedAt: string;
  receivedAt: string;
  status: Status;
  host: string | null;
  labels: Record<string, string>;
  checks: ReportCheckView[];
  /** The client-supplied report id, when one was given. */
  id: string | null;
}

export interface TransitionView {
  /** Opaque, increasing id (a 64-bit integer, as a string). */
  id: string;
  check: string;
  backendKey: string | null;
  /** null when the check was first seen. */
  from: Status | null;
  to: Status;
  observedAt: string;
  output: string | null;
}

export interface BackendSummary {
  /** `backend:<scheme>://<host>:<port>` */
  key: string;
  scheme: string;
  host: string;
  port: number | null;
  firstSeenAt: string;
  /** Distinct instances with a current check on this backend. */
  dependents: number;
  /** Current checks on this backend whose status is fail. */
  failing: number;
  /** Distinct services of those instances, sorted. */
  services: string[];
}

export interface DependentView {
  service: string;
  instance: string;
  check: string;
  status: Status;
  since: string;
}

/** The backend detail: `dependents` is the list of checks on it; its count is `dependentCount`. */
export interface BackendDetail extends Omit<BackendSummary, 'dependents'> {
  dependentCount: number;
  /** The first page of the checks on it (limit, cursor); the rest by dependentsNextCursor. */
  dependents: DependentView[];
  /** Present when more dependents than the page exist: the cursor of the next page (GET /api/v1/backends/<key>/dependents). */
  dependentsNextCursor?: string;
}

export interface PageQuery {
  /** 1..MAX_PAGE_LIMIT; DEFAULT_PAGE_LIMIT when absent. */
  limit?: number;
  cursor?: string;
}

export interface ServiceListQuery extends PageQuery {
  status?: Status;
  /** Name prefix. */
  q?: string;
}

export interface InstanceListQuery extends PageQuery {
  service?: string;
  host?: string;
  zone?: string;
  status?: Status;
  stale?: boolean;
}

export interface HistoryQuery extends PageQuery {
  /** Inclusive lower bound of observedAt, RFC 3339. */
  since?: string;
  /** Exclusive upper bound of observedAt, RFC 3339. */
  until?: string;
}

export interface TransitionQuery extends HistoryQuery {
  check?: string;
}

export interface BackendListQuery extends PageQuery {
  /** true: only backends with a failing check on them; false: only those without. */
  failing?: boolean;
  /** Substring of the key (so a prefix works too), case-insensitive. */
  q?: string;
  scheme?: string;
}
