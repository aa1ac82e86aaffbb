import type { Status } from '@faultline/reports';

/** Current state of one instance, as stored. Times are epoch ms of event time. */
export interface InstanceState {
  service: string;
  name: string;
  host: string | null;
  zone: string | null;
  labels: Record<string, string>;
  status: Status;
  firstSeenAt: number;
  /** observedAt of the newest report applied: the watermark older reports cannot cross. */
  lastSeenAt: number;
  lastReceivedAt: number;
  /** The instance's usual report interval, learned from the gaps between its reports. */
  intervalMs: number | null;
}

/** Current state of one check of one instance. */
export interface CheckState {
  service: string;
  instance: string;
  name: string;
  target: string | null;
  backendKey: string | null;
  status: Status;
  /** Event time of the report that put the check in this status. */
  since: number;
  latencyMs: number | null;
  output: string | null;
}

/** An instance's stored state: its row and its check rows by check name. */
export interface StoredState {
  instance: InstanceState;
  checks: ReadonlyMap<string, CheckState>;
}

/** A check changing status (from null when first seen), in event time. */
export interface Transition {
  service: string;
  instance: string;
  checkName: string;
  backendKey: string | null;
  from: Status | null;
  to: Status;
  observedAt: number;
  output: string | null;
}

export const instanceId = (service: string, name: string): string => `${service}\u0000${name}`;
export const splitInstanceId = (id: string): { service: string; instance: string } => {
  const [service, instance] = id.split('\u0000');
  return { service, instance };
};
export const checkId = (service: string, instance: string, check: string): string =>
  `${service}\u0000${instance}\u0000${check}`;
