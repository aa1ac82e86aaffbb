import {
  type CheckInput,
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

/**
 * Entries of one document an adapter reads at most (oslo reasons, health+json check elements,
 * actuator contributors, terminus indicators, aspnet entries): a report holds no more checks.
 * Past it the worst are kept (failures, then warnings, then passes, each in document order),
 * chosen from each entry's status alone before any other work on it, so that a document of
 * 50,000 reasons costs a pass over them and then the work of 200.
 */
export const MAX_ENTRIES_READ = REPORT_LIMITS.checks;

/** Alerts of one Alertmanager webhook read at most (they may make several reports), the worst kept. */
export const MAX_ALERTS_READ = 1000;

const WORST_FIRST: readonly Status[] = ['fail', 'warn', 'pass'];

/**
 * At most `max` of `items`, the worst by `statusOf` (a cheap look at the raw entry), in their
 * original order. Linear: one status per item, then one pass per status.
 */
export function keepWorst<T>(items: readonly T[], statusOf: (item: T) => Status, max: number): T[] {
  if (items.length <= max) return items.slice();
  const statuses = items.map(statusOf);
  const kept = new Array<boolean>(items.length).fill(false);
  let room = max;
  for (const status of WORST_FIRST)
    for (let i = 0; i < items.length && room > 0; i++)
      if (statuses[i] === status) {
        kept[i] = true;
        room--;
      }
  return items.filter((_, i) => kept[i]);
}

/**
 * Gives each check a name no other check of the report has: `name`, `name#2`, `name#3`…
 * Linear: each base name remembers the next number to try, so a thousand checks called
 * `healthcheck` cost a thousand claims, not half a million comparisons.
 */
export class CheckNames {
  private readonly taken = new Set<string>();
  private readonly nextNumber = new Map<string, number>();

  claim(raw: string): string {
    const base = nameText(raw, 'check');
    let name = base;
    if (this.taken.has(name)) {
      let n = this.nextNumber.get(base) ?? 2;
      do {
        const suffix = `#${n++}`;
        name = `${truncate(base, REPORT_LIMITS.nameLength - suffix.length)}${suffix}`;
      } while (this.taken.has(name));
      this.nextNumber.set(base, n);
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
  // Over the schema's limit, keep the worst (stable within a status): a failure is never the one
  // dropped. Adapters cap their entries before this (MAX_ENTRIES_READ); this is the last guard.
  const checks = keepWorst(parts.checks, (c) => c.status, REPORT_LIMITS.checks).map((c) => ({
    ...c,
    name: names.claim(c.name),
  }));
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
