import type { Status } from './status';

/** A report as a client sends it (docs/CONTRACT.md, native format). */
export interface ReportInput {
  id?: string;
  service: string;
  instance?: string;
  host?: string;
  labels?: Record<string, string>;
  observedAt?: string;
  status?: Status;
  checks?: CheckInput[];
  /**
   * false: an event (an alert, a one-off push), not a heartbeat. Its instance is never called
   * silent or stale, whatever the gaps between its reports. Default true.
   */
  periodic?: boolean;
}

export interface CheckInput {
  name: string;
  target?: string;
  status: Status;
  latencyMs?: number;
  output?: string;
}

/**
 * A validated report with every default applied, as it travels through the queue and is stored.
 * Times are epoch milliseconds of event time (observedAt) and of receipt.
 */
export interface Report {
  /** Client-supplied identity, when given; otherwise identity is service+instance+observedAt. */
  id: string | null;
  service: string;
  instance: string;
  host: string | null;
  labels: Record<string, string>;
  observedAt: number;
  receivedAt: number;
  status: Status;
  checks: Check[];
  /** Present (false) only for an event, not a heartbeat: see ReportInput.periodic. */
  periodic?: false;
}

export interface Check {
  name: string;
  /** The target with credentials and query removed (safe to store and show). */
  target: string | null;
  /** `backend:<scheme>://<host>:<port>`, or null for a check without a target. */
  targetKey: string | null;
  status: Status;
  latencyMs: number | null;
  output: string | null;
}

/** Appends one reference token to a JSON pointer, escaped as RFC 6901 says (`~` → `~0`, `/` → `~1`). */
export function jsonPointer(parent: string, token: string | number): string {
  return `${parent}/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** One reason a request was refused, naming the field by JSON pointer. */
export interface FieldError {
  path: string;
  reason: string;
}
