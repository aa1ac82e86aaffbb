import type { Status } from '@faultline/reports';

/** One reporting instance, as the engine tracks it. Times are event time (epoch ms). */
export interface InstanceRec {
  key: string;
  service: string;
  serviceKey: string;
  name: string;
  /** host: and zone: keys, or null. */
  host: string | null;
  zone: string | null;
  lastSeen: number;
  /** Learned from the gaps between its reports; null until it has reported twice. */
  intervalMs: number | null;
  /**
   * Watched for silence: it reports periodically (a learned interval, and no report of it said it
   * is an event). Only watched instances can be overdue or stale, and only they count towards a
   * host's, zone's or the fleet's silence.
   */
  watched: boolean;
  /** Some report of it was an event (periodic: false): it is never watched. */
  events: boolean;
  /** Bumped on every applied report: deadlines scheduled before it are obsolete. */
  seq: number;
  status: Status;
  /** Reports itself down for its own reasons: failing without a failing dependency, or an untargeted check fails. */
  selfDown: boolean;
  selfRun: number;
  selfSince: number;
  /** Missed a report (overdue): evidence for hosts and zones, not a symptom by itself. */
  silent: boolean;
  silentSince: number;
  /** Missed staleIntervals of its own intervals: a symptom. Its checks no longer count. */
  stale: boolean;
  staleSince: number;
  failingTargeted: number;
  checks: Map<string, CheckRec>;
}

export interface CheckRec {
  id: string;
  inst: InstanceRec;
  name: string;
  targetKey: string | null;
  status: Status;
  /** Consecutive reports in the current status. */
  run: number;
  /** observedAt of the report that started the current status. */
  since: number;
  /** Whether it is currently added to its backend's counts. */
  counted: boolean;
  /**
   * In the instance's latest report, and the instance is not stale. A failing check that went
   * missing (the instance crashed, or fell silent) is unknown, not passing: it keeps its last
   * status, but only keeps its backend down while no live check says otherwise.
   */
  known: boolean;
}

export interface BackendRec {
  key: string;
  /** Live checks targeting it (instances not stale). */
  checks: number;
  failing: Set<CheckRec>;
  /** Live checks of it reporting warn (degraded: slow, but answering). */
  warning: Set<CheckRec>;
  /** Of `failing` and `warning`, the checks whose instance no longer reports them (CheckRec.known). */
  unknownFailing: number;
  unknownWarning: number;
  /** The component name when the target is scoped to a service (`component://redis.orders`): see namesakes. */
  name: string | null;
  /** Live checks per zone of the checking instance (zone key, or '' for none): who still reaches it from where. */
  zoneChecks: Map<string, number>;
  /** Ring of the most recent outcomes of checks targeting it (1 = fail), in arrival order. */
  window: Uint8Array;
  /** observedAt of each outcome in the ring. */
  windowAt: Float64Array;
  windowNext: number;
  windowFill: number;
}

export interface HostRec {
  key: string;
  zone: string | null;
  instances: Set<InstanceRec>;
  silent: number;
}

export interface ZoneRec {
  key: string;
  instances: number;
  silent: number;
  hosts: Set<string>;
}

export interface ServiceRec {
  key: string;
  instances: Set<InstanceRec>;
  silent: number;
  selfDown: number;
}

/** Share of failing outcomes among the last `n` (at most what the ring holds). O(n). */
export function recentFailShare(rec: BackendRec, n: number): number {
  const take = Math.min(n, rec.windowFill);
  if (take === 0) return 0;
  let fails = 0;
  const size = rec.window.length;
  for (let i = 1; i <= take; i++) fails += rec.window[(rec.windowNext - i + size) % size];
  return fails / take;
}

/** Passing outcomes observed at or after `t` among those the ring still holds (a lower bound). O(ring). */
export function passesSince(rec: BackendRec, t: number): number {
  let n = 0;
  const size = rec.window.length;
  for (let i = 1; i <= rec.windowFill; i++) {
    const j = (rec.windowNext - i + size) % size;
    if (rec.window[j] === 0 && rec.windowAt[j] >= t) n++;
  }
  return n;
}
