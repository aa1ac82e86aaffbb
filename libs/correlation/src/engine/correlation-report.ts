import type { Status } from '@faultline/reports';

/**
 * What the engine reads of a report: who reports, where it runs, when, its status and, per
 * check, the name, target and status. Bodies, outputs, latencies and other labels never reach
 * it. A full Report is one, so stored reports and the simulator's feed the engine as they are.
 */
export interface CorrelationReport {
  readonly service: string;
  readonly instance: string;
  readonly host: string | null;
  readonly labels: { readonly zone?: string };
  readonly observedAt: number;
  readonly receivedAt: number;
  readonly status: Status;
  /** false: an event, not a heartbeat (see Report.periodic). */
  readonly periodic?: false;
  readonly checks: readonly CorrelationCheck[];
}

export interface CorrelationCheck {
  readonly name: string;
  readonly targetKey: string | null;
  readonly status: Status;
}

/**
 * A CorrelationReport as the Correlate job carries it: one flat array, so that BullMQ's JSON
 * encode and decode handle no keys and no object per check (the worker forwards every report it
 * stores; keyed objects with bodies cost it more than the write). `checks` holds each check as
 * three consecutive items: name, targetKey, status.
 */
export type EncodedCorrelationReport = [
  service: string,
  instance: string,
  host: string | null,
  zone: string | null,
  observedAt: number,
  receivedAt: number,
  status: Status,
  periodic: boolean,
  checks: (string | null)[],
];

const NO_LABELS: { readonly zone?: string } = Object.freeze({});

export function encodeCorrelationReports(
  reports: readonly CorrelationReport[],
): EncodedCorrelationReport[] {
  const out = new Array<EncodedCorrelationReport>(reports.length);
  for (let i = 0; i < reports.length; i++) {
    const r = reports[i];
    const checks = new Array<string | null>(r.checks.length * 3);
    for (let c = 0, j = 0; c < r.checks.length; c++, j += 3) {
      const check = r.checks[c];
      checks[j] = check.name;
      checks[j + 1] = check.targetKey;
      checks[j + 2] = check.status;
    }
    out[i] = [
      r.service,
      r.instance,
      r.host,
      r.labels.zone ?? null,
      r.observedAt,
      r.receivedAt,
      r.status,
      r.periodic !== false,
      checks,
    ];
  }
  return out;
}

/** The inverse of encodeCorrelationReports. Trusts its input: only the worker produces it. */
export function decodeCorrelationReports(
  encoded: readonly EncodedCorrelationReport[],
): CorrelationReport[] {
  const out = new Array<CorrelationReport>(encoded.length);
  for (let i = 0; i < encoded.length; i++) {
    const [service, instance, host, zone, observedAt, receivedAt, status, periodic, flat] =
      encoded[i];
    const checks = new Array<CorrelationCheck>(flat.length / 3);
    for (let c = 0, j = 0; j < flat.length; c++, j += 3)
      checks[c] = {
        name: flat[j] as string,
        targetKey: flat[j + 1],
        status: flat[j + 2] as Status,
      };
    const labels = zone === null ? NO_LABELS : { zone };
    out[i] = periodic
      ? { service, instance, host, labels, observedAt, receivedAt, status, checks }
      : { service, instance, host, labels, observedAt, receivedAt, status, periodic, checks };
  }
  return out;
}
