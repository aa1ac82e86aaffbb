import type { ChangeKind, ChangeStatus } from '@faultline/changes';
import type { EntityKind } from '@faultline/reports';

/**
 * What the incidents API returns and accepts (docs/CONTRACT.md, "Incidents"). Views for clients,
 * built from rows by IncidentQueryService: times are RFC 3339 strings of event time, except
 * updatedAt (wall clock of the last write).
 */

/** What a root cause names: an entity, or a recorded change (key `change:<id>`). */
export type CauseKind = EntityKind | 'change';

/** A change as an incident names it: enough to say what changed, where, when and from where. */
export interface ChangeRefView {
  id: string;
  /** Entity key it changed, e.g. service:billing */
  entity: string;
  kind: ChangeKind;
  status: ChangeStatus;
  /** RFC 3339 event time it started. */
  startedAt: string;
  version: string | null;
  /** Where it came from: ci, argo, github, pagerduty, cdevents, … */
  source: string | null;
  summary: string;
}

export interface RootCauseView {
  /** Entity key, e.g. backend:amqp://rabbit-1:5672, or change:<id> */
  key: string;
  /** In [0, 1]. */
  confidence: number;
  summary: string;
  kind: CauseKind;
  /** On a cause of kind `change`: the change itself. */
  change?: ChangeRefView;
  /** The changes that bear on this cause (its entity or what it depends on), most recent first. */
  changes?: ChangeRefView[];
}

export interface IncidentSummary {
  id: string;
  status: 'open' | 'resolved';
  openedAt: string;
  resolvedAt: string | null;
  /** Ranked, best first. */
  rootCauses: RootCauseView[];
  affected: { services: string[]; instances: number };
  /** The earliest symptom the incident explains. */
  firstEvidenceAt: string;
  /** Event time of the engine tick that produced the stored snapshot. */
  changedAt: string;
  /** When the stored snapshot was written (wall clock). */
  updatedAt: string;
  /** warning while only warnings (a degraded dependency) speak for it; critical once anything fails. */
  severity: 'warning' | 'critical';
  /** The cause failed again after its symptoms had cleared (or after it resolved): it comes and goes. */
  flapping: boolean;
  /** Down periods so far: 1, plus one per return. */
  cycles: number;
}

export interface TimelineEntryView {
  at: string;
  what: string;
  /** Where a cause became first (the incident opened, or was re-ranked): that cause's key. */
  topCause?: string;
  /** On entries about a change (a rollback, a later deploy before recovery): that change. */
  change?: ChangeRefView;
}

export interface IncidentDetail extends Omit<IncidentSummary, 'affected'> {
  affected: { services: string[]; instances: number; instanceKeys: string[] };
  timeline: TimelineEntryView[];
}

export const INCIDENT_STATUS_FILTERS = ['open', 'resolved', 'all'] as const;
export type IncidentStatusFilter = (typeof INCIDENT_STATUS_FILTERS)[number];

export interface IncidentListQuery {
  /** Default all. */
  status?: IncidentStatusFilter;
  /**
   * RFC 3339: incidents not over before it, i.e. still open or resolved at or after it (an
   * incident opened after it qualifies too, since it cannot resolve before it opens).
   */
  since?: string;
  /** A service name in affected.services. */
  service?: string;
  /** An entity key among rootCauses[].key (any rank). */
  key?: string;
  /** 1..MAX_PAGE_LIMIT; DEFAULT_PAGE_LIMIT when absent. */
  limit?: number;
  cursor?: string;
}
