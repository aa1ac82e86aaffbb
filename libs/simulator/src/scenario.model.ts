import type { Change, ChangeStatus } from '@faultline/changes';

import type { EngineEventLike } from './engine-event';

export type FaultClass =
  | 'backend-down'
  | 'one-db-of-several'
  | 'host-down'
  | 'cascade'
  | 'instance-local'
  | 'two-backends'
  | 'late-evidence'
  | 'zone-outage'
  | 'flaps-only'
  | 'network-partition'
  | 'flapping-cause'
  | 'degraded-before-down'
  | 'everything-silent'
  | 'host-in-zone'
  | 'bad-deploy'
  | 'bad-config';

export const FAULT_CLASSES: readonly FaultClass[] = [
  'backend-down',
  'one-db-of-several',
  'host-down',
  'cascade',
  'instance-local',
  'two-backends',
  'late-evidence',
  'zone-outage',
  'flaps-only',
  'network-partition',
  'flapping-cause',
  'degraded-before-down',
  'everything-silent',
  'host-in-zone',
  'bad-deploy',
  'bad-config',
];

/** The classes whose faults are caused by a change: played through the engine, they post change events. */
export const CHANGE_FAULT_CLASSES: readonly FaultClass[] = ['bad-deploy', 'bad-config'];

export interface SimDependency {
  /** Check name, as the dependent reports it. */
  check: string;
  /** Raw target as the dependent reports it (may carry a path or a DNS alias). */
  target: string;
  /** Normalised backend key of the target. */
  key: string;
  /** A service endpoint is up while any instance of the service is healthy; other targets are infra. */
  service: string | null;
}

export interface SimInstance {
  key: string;
  service: string;
  name: string;
  host: string;
  zone: string;
  /** Nominal report interval. */
  intervalMs: number;
  /** Offset of its first report after the scenario start. */
  phaseMs: number;
  deps: SimDependency[];
  /** Backend key this instance is (a broker, a database, a cache), or null for an application instance. */
  serves: string | null;
}

export interface SimBackend {
  key: string;
  kind: 'amqp' | 'mysql' | 'postgres' | 'redis' | 'external' | 'http';
  /** Instance key of the reporting server, or null for a backend that does not report (a SaaS API). */
  server: string | null;
  /** Instance keys of the application instances that check it. */
  dependents: string[];
}

export interface SimHost {
  name: string;
  zone: string;
  instances: string[];
}

export interface SimService {
  name: string;
  instances: string[];
  /** Backend key of its HTTP endpoint, which other services may check. */
  endpoint: string;
  deps: SimDependency[];
}

export interface SimTopology {
  zones: string[];
  hosts: Map<string, SimHost>;
  instances: Map<string, SimInstance>;
  services: Map<string, SimService>;
  backends: Map<string, SimBackend>;
  aliases: { targetKey: string; servedBy: string }[];
}

/** The root key of the path from the fleet to Faultline's intake (everything-silent). */
export const INTAKE_KEY = 'backend:faultline://intake';

/** A fault as injected: what breaks, and from when to when (event time). */
export type Fault =
  | { kind: 'backend-down'; backend: string }
  | { kind: 'host-down'; host: string }
  | { kind: 'zone-down'; zone: string }
  | { kind: 'instance-link'; instance: string; backend: string }
  /** Dependents in `zone` cannot reach these backends; everyone else still does. */
  | { kind: 'partition'; zone: string; backends: string[] }
  /** `backend` is reachable only from its own `zone`: dependents elsewhere fail on it. */
  | { kind: 'backend-isolated'; backend: string; zone: string }
  /** `backend` answers slowly: its dependents' checks of it report warn (it stays up). */
  | { kind: 'backend-slow'; backend: string }
  /** The path to Faultline is cut: every instance lives on, but no report arrives. */
  | { kind: 'intake-cut' }
  /** A bad release: every instance of the service reports itself down (its endpoint with it). */
  | { kind: 'service-broken'; service: string }
  /** A bad release breaks one call: every instance of the service fails its check of `backend`, alone. */
  | { kind: 'service-link'; service: string; backend: string }
  /** A bad configuration: the backend refuses its dependents while its server reports itself well. */
  | { kind: 'backend-refuses'; backend: string };

/** A part of an episode: `fault` is active in [startAt, endAt). */
export interface FaultStage {
  fault: Fault;
  startAt: number;
  endAt: number;
}

export interface PlannedFault {
  id: string;
  fault: Fault;
  rootKey: string;
  startAt: number;
  endAt: number;
  /** Reports of these instances inside [startAt, startAt + lateByMs) arrive lateByMs late. */
  late?: { instances: string[]; lateByMs: number };
  variant?: string;
  /**
   * An episode that changes over time (flapping, degraded then down): when present, the fault is
   * active only inside its stages, each as its own `fault` (the top-level `fault` then names the
   * episode's principal fault). Stages are in order, inside [startAt, endAt), and do not overlap.
   */
  stages?: FaultStage[];
  /** For a cause that comes and goes: the number of its down periods (copied to the ground truth). */
  cycles?: number;
  /** The id of the change that caused it (bad-deploy, bad-config; copied to the ground truth). */
  change?: string;
}

/** A change posted to Faultline during the scenario (a deploy, a config push, a rollback). */
export interface PlannedChange {
  /** As first posted: at its startedAt, or at the scenario's start when it began before. */
  change: Change;
  /** Later posts of the same id, in order: at `at` its status (and finishedAt) become these. */
  updates: { at: number; status: ChangeStatus; finishedAt: number | null }[];
  /** Unrelated to every fault of the scenario: nothing fails because of it. */
  decoy: boolean;
}

export interface ScenarioSpec {
  faultClass: FaultClass;
  seed: number;
  /** Approximate number of instances, 30 to 5,000. */
  instances: number;
  /** Share of checks failing by chance at each report (background flaps). Default 0.005. */
  flapRate?: number;
  /** Event time before the first fault (plus 0-10 s). Default 120 s; intervals need 2 reports to be learned. */
  warmupMs?: number;
  /**
   * Unrelated deploys (decoys) per hour of event time, as busy fleets have, from 15 minutes before
   * the scenario starts to its end. Default 0: none, and the scenario plays exactly as without.
   */
  decoyChangesPerHour?: number;
}

export interface Scenario {
  spec: ScenarioSpec;
  topology: SimTopology;
  faults: PlannedFault[];
  /** Changes posted during the scenario, by start time: the faults' own and the decoys. */
  changes?: PlannedChange[];
  startAt: number;
  endAt: number;
}

/** What really happened, for scoring. Times are event time (epoch ms). */
export interface GroundTruth {
  id: string;
  faultClass: FaultClass;
  rootKey: string;
  startAt: number;
  endAt: number;
  /** The first evidence: the first failing report the fault caused, or for silence the 3rd missed interval. */
  evidenceAt: number | null;
  /** Instance keys whose reports the fault changed (failing checks, silence, self-reported failure). */
  affected: string[];
  variant?: string;
  /**
   * For an episode (a planned fault with stages): what was active when, in order. A flapping cause
   * is one truth for the whole episode: startAt is its first down, endAt its last recovery.
   */
  stages?: { kind: Fault['kind']; startAt: number; endAt: number }[];
  /** For a flapping cause: the number of down periods in the episode. */
  cycles?: number;
  /**
   * The id of the change that caused the fault: then `change:<id>` is a correct top cause too,
   * and `rootKey` is correct only when it names the change among its evidence (RootCause.changes).
   */
  change?: string;
}

export type { EngineEventLike };
