/**
 * A change to the fleet — a deploy, a config push, a scale-down, a certificate rotation, a
 * migration, a feature flag — as Faultline keeps it: evidence beside the health reports, and a
 * candidate cause when its entity (or something depending on it) fails soon after.
 */
export const CHANGE_KINDS = ['deploy', 'config', 'scale', 'infra', 'flag', 'other'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export const CHANGE_STATUSES = ['started', 'succeeded', 'failed', 'rolled-back'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

export interface ChangeLink {
  href: string;
  text: string | null;
}

/** A validated change with every default applied. Times are epoch ms. */
export interface Change {
  /** Client-supplied, or derived from the sender's own id (adapters); a post with a known id updates it. */
  id: string;
  /** An entity key: `service:billing`, `backend:mysql://db-1:3306`, `host:…`, `zone:…`, `instance:…`. */
  entity: string;
  kind: ChangeKind;
  status: ChangeStatus;
  startedAt: number;
  finishedAt: number | null;
  /** Where it came from: `ci`, `argo`, `github`, `pagerduty`, `cdevents`, … */
  source: string | null;
  version: string | null;
  summary: string;
  links: ChangeLink[];
  labels: Record<string, string>;
}

/** Statuses that end a change: a later `started` never replaces one of these (see mergeChange). */
export const TERMINAL_CHANGE_STATUSES: readonly ChangeStatus[] = [
  'succeeded',
  'failed',
  'rolled-back',
];

/** A change as posted to `POST /api/v1/changes` (and as the adapters produce it): times RFC 3339. */
export interface ChangeInput {
  id?: string;
  entity: string;
  kind: ChangeKind;
  status: ChangeStatus;
  startedAt: string;
  finishedAt?: string;
  source?: string;
  version?: string;
  summary: string;
  links?: { href: string; text?: string }[];
  labels?: Record<string, string>;
}

/** A stored change as the API shows it: times RFC 3339, with when Faultline received and last updated it. */
export interface ChangeView {
  id: string;
  entity: string;
  kind: ChangeKind;
  status: ChangeStatus;
  startedAt: string;
  finishedAt: string | null;
  source: string | null;
  version: string | null;
  summary: string;
  links: ChangeLink[];
  labels: Record<string, string>;
  receivedAt: string;
  updatedAt: string;
}
