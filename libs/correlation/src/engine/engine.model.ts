import type { Change, ChangeKind, ChangeStatus } from '@faultline/changes';
import type { EntityKind } from '@faultline/reports';

import type { CorrelationReport } from './correlation-report';

/** What the engine is fed, in arrival order. Times are epoch ms of event time (observedAt). */
export type EngineEvent =
  | { kind: 'report'; report: CorrelationReport }
  /** The event-time watermark advances: staleness is detected and incidents are (re)evaluated. */
  | { kind: 'tick'; at: number }
  /** An explicit alias: `targetKey` (a backend key) is served by `servedBy` (instance:, service: or host: key). */
  | { kind: 'alias'; targetKey: string; servedBy: string }
  /**
   * A change to the fleet (deploy, config push, …), or a later word on one already given (same
   * id: its status and times are updated). Evidence only: a change alone never opens an incident.
   */
  | { kind: 'change'; change: Change };

/**
 * The path between the fleet and Faultline's intake: the root when every instance of every zone
 * falls silent at once (Faultline is far more likely cut off than the whole fleet dead).
 */
export const INTAKE_KEY = 'backend:faultline://intake';

/** What a root cause names: an entity (docs/CONTRACT.md's entity keys), or a recorded change (`change:<id>`). */
export type CauseKind = EntityKind | 'change';

/** A change as an incident names it: enough to tell what changed, when, and where it came from. */
export interface ChangeRef {
  id: string;
  /** The entity key it changed. */
  entity: string;
  kind: ChangeKind;
  status: ChangeStatus;
  /** Epoch ms (event time). */
  startedAt: number;
  version: string | null;
  source: string | null;
  summary: string;
}

export interface RootCause {
  key: string;
  kind: CauseKind;
  /** In [0, 1]; the list is ranked best first. */
  confidence: number;
  /** One plain-language line of evidence, e.g. "18 of 18 dependents lost it within 4 s; it reports itself down". */
  summary: string;
  /** For kind 'change' (key `change:<id>`): the change. */
  change?: ChangeRef;
  /** Changes on this entity (or on what it runs on or depends on) shortly before the symptoms began: most recent first. */
  changes?: ChangeRef[];
}

export interface TimelineEntry {
  at: number;
  what: string;
  /** On the entries where a cause became first (opened, re-ranked): its key. */
  topCause?: string;
  /** On the entries that record a change (a rollback, a later deploy) while the incident is open. */
  change?: ChangeRef;
}

export interface Incident {
  /** Deterministic: derived from the first root key and the event time the incident opened. */
  id: string;
  status: 'open' | 'resolved';
  openedAt: number;
  resolvedAt: number | null;
  /** Event time of the earliest symptom the incident explains (first failing report, or staleness). */
  firstEvidenceAt: number;
  rootCauses: RootCause[];
  /** Everything affected while the incident was open (it does not shrink as dependents recover). */
  affected: { services: string[]; instances: string[] };
  timeline: TimelineEntry[];
  /** 'warning' while every symptom is a warning (a degraded dependency); 'critical' once anything fails. Never downgrades. */
  severity?: 'warning' | 'critical';
  /**
   * The cause failed again after its symptoms had cleared, within the quiet period or within
   * reopenWindowMs of the incident resolving (which reopened it): it comes and goes.
   */
  flapping?: boolean;
  /** Down periods seen so far: 1, plus one each time the cause failed again while quiet or after it resolved. */
  cycles?: number;
}

export interface IncidentChange {
  type: 'opened' | 'updated' | 'resolved';
  /** Event time of the tick that produced the change. */
  at: number;
  /** A snapshot: later changes never mutate it. */
  incident: Incident;
}

export interface CorrelationOptions {
  /** An instance silent for this many of its own intervals is stale (docs/CONTRACT.md: 3). */
  staleIntervals: number;
  /**
   * An instance silent for this many intervals is overdue: early evidence for hosts and zones.
   * 1.1 leaves a tenth of the interval for scheduling jitter (a second at 10 s).
   */
  overdueFactor: number;
  /** The interval assumed for an instance until its own is learned from two reports. */
  initialIntervalMs: number;
  /** A backend (or a service's instances) is down when strictly more than this share fail. */
  majority: number;
  /** A backend also counts as down when at least this share of its dependents fail persistently (2+ reports) and 3 or more do. */
  partialShare: number;
  /** A host or zone is down when at least this share of its instances are silent. */
  silentShare: number;
  /** How many of a backend's most recent check outcomes the onset test looks at. */
  windowSize: number;
  /**
   * The chance that a check fails by accident in one report (background flaps), assumed on the
   * high side. Sets how much evidence a failure is worth (see significance.ts).
   */
  flapRate: number;
  /**
   * Evidence needed to open an incident, as -log10 of the chance that its symptoms are a
   * coincidence of flaps: 7 is one in 10^7. With flapRate 0.01, one instance alone needs 4 failing
   * reports in a row; many dependents of one backend failing together need only a few seconds.
   */
  significance: number;
  maxRootCauses: number;
  /**
   * An incident whose symptoms have all cleared resolves only once this much event time has
   * passed since its evidence fell under half its peak (the midpoint of the recovery); a cause
   * that fails again before then continues the same incident (one incident for a flapping cause,
   * with a cycle count). 75 s: it bridges up periods of about 80 s, and still declares a recovery
   * within about 1.5 min. `resolvedAt` is the event time the last symptom cleared. 0: at once.
   */
  quietPeriodMs: number;
  /**
   * A resolved incident is remembered this long after it resolved: its root failing again
   * (significantly) within it reopens the same incident (same id, one cycle more, flapping)
   * instead of opening a new one. 5 min: over three times the longest up period of a flapping
   * cause seen in practice (90 s), and 30 report intervals at 10 s, after which a failure is a new
   * event to whoever is on call. Costs one remembered incident per resolution in the window.
   * 0: never reopen.
   */
  reopenWindowMs: number;
  /**
   * A change on an entity is a candidate cause of an incident whose symptoms begin within this
   * much event time after it (closer is stronger). 15 min: a deploy's rollout and the first
   * requests that reach the new code; beyond it, a failure is more likely news of its own.
   */
  changeWindowMs: number;
}

export const DEFAULT_CORRELATION_OPTIONS: Readonly<CorrelationOptions> = Object.freeze({
  staleIntervals: 3,
  overdueFactor: 1.1,
  initialIntervalMs: 10_000,
  majority: 0.5,
  partialShare: 0.25,
  silentShare: 0.8,
  windowSize: 8,
  flapRate: 0.01,
  significance: 7,
  maxRootCauses: 5,
  quietPeriodMs: 75_000,
  reopenWindowMs: 300_000,
  changeWindowMs: 900_000,
});

/** Thrown for options that cannot work together; the message names the option. */
export class InvalidCorrelationOptionsError extends Error {}

export function resolveOptions(partial: Partial<CorrelationOptions> = {}): CorrelationOptions {
  const o = { ...DEFAULT_CORRELATION_OPTIONS, ...partial };
  const fail = (name: keyof CorrelationOptions, reason: string) => {
    throw new InvalidCorrelationOptionsError(`${name} ${reason}`);
  };
  if (!(o.overdueFactor > 1)) fail('overdueFactor', 'must be above 1');
  if (!(o.staleIntervals > o.overdueFactor)) fail('staleIntervals', 'must be above overdueFactor');
  if (!(o.initialIntervalMs > 0)) fail('initialIntervalMs', 'must be positive');
  if (!(o.majority >= 0 && o.majority < 1)) fail('majority', 'must be in [0, 1)');
  if (!(o.partialShare > 0 && o.partialShare <= 1)) fail('partialShare', 'must be in (0, 1]');
  if (!(o.silentShare > 0 && o.silentShare <= 1)) fail('silentShare', 'must be in (0, 1]');
  if (!(Number.isInteger(o.windowSize) && o.windowSize >= 1 && o.windowSize <= 255))
    fail('windowSize', 'must be an integer in [1, 255]');
  if (!(o.flapRate > 0 && o.flapRate < 1)) fail('flapRate', 'must be in (0, 1)');
  if (!(o.significance > 0)) fail('significance', 'must be positive');
  if (!(Number.isInteger(o.maxRootCauses) && o.maxRootCauses >= 1))
    fail('maxRootCauses', 'must be a positive integer');
  if (!(o.quietPeriodMs >= 0)) fail('quietPeriodMs', 'must be zero or more');
  if (!(o.reopenWindowMs >= 0 && Number.isFinite(o.reopenWindowMs)))
    fail('reopenWindowMs', 'must be zero or more (finite)');
  if (!(o.changeWindowMs >= 0 && Number.isFinite(o.changeWindowMs)))
    fail('changeWindowMs', 'must be zero or more (finite)');
  return o;
}
