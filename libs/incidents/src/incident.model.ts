import type { EntityKind } from '@faultline/reports';

/**
 * What the incidents API returns and accepts (docs/CONTRACT.md, "Incidents"). Views for clients,
 * built from rows by IncidentQueryService: times are RFC 3339 strings of event time, except
 * updatedAt (wall clock of the last write).
 */

export interface RootCauseView {
  /** Entity key, e.g. backend:amqp://rabbit-1:5672 */
  key: string;
  /** In [0, 1]. */
  confidence: number;
  summary: string;
  kind: EntityKind;
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
