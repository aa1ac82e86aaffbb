import {
  type CheckInput,
  compareStatus,
  REPORT_LIMITS,
  type ReportInput,
  type Status,
  worstStatus,
} from '@faultline/reports';

import { contextTime, isoTime } from './event-time';
import type { SourceContext } from './format.model';
import { refuse } from './json-reader';
import { nameText, safeLabels, truncate } from './safe-text';

/**
 * The last step every adapter shares: identity from the body or the source, unique check names,
 * at most the schema's number of checks, and the report's status.
 */

export const MISSING_SERVICE_REASON = 'no service: give ?service= or X-Faultline-Service';

/** The service a report is about: the body's own name when the format has one, else the source's. */
export function requireService(
  fromBody: string | undefined,
  ctx: SourceContext,
  path = '/service',
): string {
  if (fromBody) return fromBody;
  if (typeof ctx.service === 'string' && ctx.service.trim()) return ctx.service;
  return refuse(path, MISSING_SERVICE_REASON);
}

/** A non-empty string from the source context, as given (the intake validates it). */
export const contextName = (value: string | undefined): string | undefined =>
  typeof value === 'string' && value.trim() ? value : undefined;

/** Gives each check a name no other check of the report has: `name`, `name#2`, `name#3`… */
export class CheckNames {
  private readonly taken = new Set<string>();

  claim(raw: string): string {
    const base = nameText(raw, 'check');
    let name = base;
    for (let n = 2; this.taken.has(name); n++) {
      const suffix = `#${n}`;
      name = `${truncate(base, REPORT_LIMITS.nameLength - suffix.length)}${suffix}`;
    }
    this.taken.add(name);
    return name;
  }
}

export interface ReportParts {
  service: string;
  instance?: string;
  host?: string;
  /** Source labels first, then the body's (the body wins a clash). */
  labels?: Iterable<[string, string]>;
  observedAt: number;
  /** The format's own overall status; the worst check's when the format has none. */
  status?: Status;
  checks: CheckInput[];
  /** false for an event (an alert), not a heartbeat: its instance is never called silent. */
  periodic?: boolean;
}

/**
 * The usual report of one document: identity from the source context (the body named only the
 * service), its labels merged with `bodyLabels`, at `observedAt` (default: the context's time).
 */
export function contextReport(
  ctx: SourceContext,
  parts: {
    service: string;
    status?: Status;
    checks: CheckInput[];
    observedAt?: number;
    bodyLabels?: Iterable<[string, string]>;
  },
): ReportInput {
  return assembleReport({
    service: parts.service,
    instance: contextName(ctx.instance),
    host: contextName(ctx.host),
    labels: mergedLabels(ctx, parts.bodyLabels),
    observedAt: parts.observedAt ?? contextTime(ctx.observedAt),
    status: parts.status,
    checks: parts.checks,
  });
}

export function assembleReport(parts: ReportParts): ReportInput {
  const names = new CheckNames();
  let checks = parts.checks.map((c) => ({ ...c, name: names.claim(c.name) }));
  if (checks.length > REPORT_LIMITS.checks) {
    // Over the schema's limit, keep the worst (stable within a status): a failure is never the one dropped.
    checks = checks
      .map((c, i) => ({ c, i }))
      .sort((a, b) => compareStatus(b.c.status, a.c.status) || a.i - b.i)
      .slice(0, REPORT_LIMITS.checks)
      .sort((a, b) => a.i - b.i)
      .map(({ c }) => c);
  }
  const report: ReportInput = { service: parts.service };
  if (parts.instance !== undefined) report.instance = parts.instance;
  if (parts.host !== undefined) report.host = parts.host;
  const labels = parts.labels ? safeLabels(parts.labels) : undefined;
  if (labels) report.labels = labels;
  report.observedAt = isoTime(parts.observedAt);
  report.status = parts.status ?? worstStatus(parts.checks.map((c) => c.status));
  report.checks = checks.map(withoutEmptyFields);
  if (parts.periodic === false) report.periodic = false;
  return report;
}

/** Leaves out optional fields that are undefined, so reports compare and serialise cleanly. */
function withoutEmptyFields(check: CheckInput): CheckInput {
  const out: CheckInput = { name: check.name, status: check.status };
  if (check.target !== undefined) out.target = check.target;
  if (check.latencyMs !== undefined && Number.isFinite(check.latencyMs) && check.latencyMs >= 0)
    out.latencyMs = check.latencyMs;
  if (check.output !== undefined) out.output = check.output;
  return out;
}

/** Source labels then body labels, as entries for ReportParts.labels. */
export function mergedLabels(
  ctx: SourceContext,
  fromBody: Iterable<[string, string]> = [],
): [string, string][] {
  const fromSource =
    ctx.labels && typeof ctx.labels === 'object'
      ? Object.entries(ctx.labels).filter((e): e is [string, string] => typeof e[1] === 'string')
      : [];
  return [...fromSource, ...fromBody];
}
