import type { CheckInput, Status } from '@faultline/reports';

import { DependencyResolver } from './dependency-identity';
import type { AdaptedReports, HealthDocument, SourceContext } from './format.model';
import {
  isObject,
  objectAt,
  optionalObjectAt,
  optionalStringAt,
  parseJsonBody,
  pointer,
  refuse,
  stringAt,
} from './json-reader';
import { contextReport, keepWorst, MAX_ENTRIES_READ, requireService } from './report-assembly';
import { outputText } from './safe-text';

/**
 * ASP.NET Core health checks written by AspNetCore.Diagnostics.HealthChecks' `UIResponseWriter`.
 *
 * Accepts `{status, totalDuration, entries: {name: {data?, description?, duration?, exception?, status, tags?}}}`
 * (camelCase, enums as names, TimeSpans as `[d.]hh:mm:ss[.fffffff]`).
 * Produces one report; each entry is a check (at most MAX_ENTRIES_READ, 200, read past their
 * status: the worst). Status: Healthy → pass, Degraded → warn, Unhealthy →
 * fail (case-insensitive), anything else → warn.
 * Identity: the body names nothing: service, instance and host come from the source. A check's
 * target: the mapping under its name; then a URI in its `data`; else scoped to the service. The
 * library's process checks (self, diskstorage, privatememory, workingset, virtualmemory,
 * allocatedmemory) get no target.
 * Latency: the entry's duration. Output: its exception message, else its description.
 * Time: ctx.observedAt (the body has none).
 */
export function adaptAspnet(doc: HealthDocument, ctx: SourceContext): AdaptedReports {
  const root = objectAt(parseJsonBody(doc.body), '');
  const status = aspnetStatus(stringAt(root.status, '/status'));
  const service = requireService(undefined, ctx);
  const resolver = new DependencyResolver(ctx.mapping);
  const checks: CheckInput[] = [];

  // At most MAX_ENTRIES_READ entries are read past their status: the worst.
  const all = Object.entries(optionalObjectAt(root.entries, '/entries') ?? {});
  const rawStatus = ([, value]: [string, unknown]): Status =>
    isObject(value) && typeof value.status === 'string' ? aspnetStatus(value.status) : 'fail';
  for (const [name, value] of keepWorst(all, rawStatus, MAX_ENTRIES_READ)) {
    const path = pointer('/entries', name);
    const entry = objectAt(value, path);
    const duration = optionalStringAt(entry.duration, pointer(path, 'duration'));
    const exception = optionalStringAt(entry.exception, pointer(path, 'exception'));
    const description = optionalStringAt(entry.description, pointer(path, 'description'));
    checks.push({
      name,
      status: aspnetStatus(stringAt(entry.status, pointer(path, 'status'))),
      target: resolver.targetFor(service, {
        mappingKeys: [name],
        component: name,
        details: optionalObjectAt(entry.data, pointer(path, 'data')),
        role: LOCAL_CHECKS.has(name.toLowerCase()) ? 'not-a-dependency' : 'dependency',
      }),
      latencyMs:
        duration === undefined
          ? undefined
          : (timeSpanMs(duration) ??
            refuse(pointer(path, 'duration'), 'is not a TimeSpan ([d.]hh:mm:ss[.fffffff])')),
      output: outputText(exception ?? description),
    });
  }

  const report = contextReport(ctx, { service, status, checks });
  return { format: 'aspnet', reports: [report], unresolved: resolver.unresolved };
}

/** The conventional liveness check and the library's process-level checks under their default names. */
const LOCAL_CHECKS = new Set([
  'self',
  'diskstorage',
  'privatememory',
  'workingset',
  'virtualmemory',
  'allocatedmemory',
]);

export function aspnetStatus(raw: string): Status {
  switch (raw.trim().toLowerCase()) {
    case 'healthy':
      return 'pass';
    case 'unhealthy':
      return 'fail';
    default:
      // Degraded, and anything this writer version did not know.
      return 'warn';
  }
}

const TIME_SPAN = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;

/** .NET `TimeSpan.ToString()` ("c" format) in milliseconds, to the microsecond; null when the text is not one. */
export function timeSpanMs(text: string): number | null {
  const m = TIME_SPAN.exec(text.trim());
  if (!m) return null;
  const [, negative, days, hours, minutes, seconds, fraction] = m;
  const wholeSeconds =
    ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds);
  const ms = wholeSeconds * 1000 + Number(`0.${fraction ?? '0'}`) * 1000;
  // Kept signed: a negative duration is a TimeSpan, just not a latency (assembleReport drops it).
  return (negative ? -1 : 1) * (Math.round(ms * 1000) / 1000);
}
