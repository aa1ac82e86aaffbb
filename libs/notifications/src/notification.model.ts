/**
 * What a notification is about: one incident at one moment of its life, rendered once per
 * channel. Pure data, so the renderers are pure functions of it.
 */
export type NotificationKind = 'opened' | 'cause-changed' | 'repeat' | 'resolved' | 'reopened';

/** A recorded change (deploy, config push, scale, …) as an incident names it. */
export interface NotificationChange {
  id: string;
  /** Entity key it changed, e.g. service:billing */
  entity: string;
  /** deploy, config, scale, infra, flag, other */
  kind: string;
  /** started, succeeded, failed, rolled-back */
  status: string;
  /** RFC 3339 event time. */
  startedAt: string;
  version: string | null;
  source: string | null;
  summary: string;
}

export interface NotificationCause {
  key: string;
  /** backend, host, zone, service, instance, or change (key `change:<id>`). */
  kind: string;
  confidence: number;
  summary: string;
  /** On a cause of kind change: the change. */
  change?: NotificationChange;
  /** Changes that bear on the cause (its evidence), most recent first. */
  changes?: NotificationChange[];
}

export interface NotificationEvent {
  /** Stable per (incident, kind, moment): the idempotency key receivers can dedupe on. */
  id: string;
  kind: NotificationKind;
  incident: {
    id: string;
    status: 'open' | 'resolved';
    /** RFC 3339 event times. */
    openedAt: string;
    resolvedAt: string | null;
    /** RFC 3339 event time of the first symptom; changes are timed against it ("40 s later"). */
    firstEvidenceAt?: string;
    /** Ranked, best first (at least one). */
    rootCauses: NotificationCause[];
    affected: { services: string[]; instances: string[] };
    /** For cause-changed: the cause that was first before. */
    previousTopCause?: string;
    /** For resolved: the symptoms that recovered, grouped by service. */
    recovered?: { service: string; instances: string[] }[];
    /**
     * For reopened (the incident resolved, then its cause failed again: it flaps): always true,
     * and the down periods seen so far when known (2 or more).
     */
    flapping?: boolean;
    cycles?: number;
    /** Link to the incident (dashboard or API), absolute URL. */
    url: string;
  };
  /** Severity derived from the top cause and the spread: critical (shared backend/host/zone/service), warning (one instance). */
  severity: 'critical' | 'warning';
  /** RFC 3339 wall-clock time the event was planned. */
  createdAt: string;
}
