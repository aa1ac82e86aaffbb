import type { CheckInput, Status } from '@faultline/reports';

import { DependencyResolver } from './dependency-identity';
import type { AdaptedReports, HealthDocument, SourceContext } from './format.model';
import {
  type JsonObject,
  objectAt,
  optionalObjectAt,
  optionalStringAt,
  parseJsonBody,
  pointer,
  stringAt,
} from './json-reader';
import { contextReport, keepWorst, MAX_ENTRIES_READ, requireService } from './report-assembly';
import { detailSummary, outputText } from './safe-text';

/**
 * NestJS Terminus (`HealthCheckResult`).
 *
 * Accepts `{status: 'ok'|'error'|'shutting_down', info?, error?, details?}` where each of info,
 * error and details maps an indicator key to `{status: 'up'|'down', …}`.
 * Produces one report; each indicator is a check, read from `details` (every indicator) and then
 * from `info` and `error` for any indicator `details` lacks. At most MAX_ENTRIES_READ (200) are read
 * past their status: the worst.
 * Status: ok → pass, error → fail, shutting_down → fail (the instance is leaving: route nothing
 * to it), anything else → warn; indicators up → pass, down → fail, anything else → warn.
 * Identity: the body names nothing: service, instance and host come from the source. A check's
 * target: the mapping under its key; then an address among the indicator's fields, a URI or one
 * inside its message (an HttpHealthIndicator that cannot connect says `connect ECONNREFUSED
 * 10.0.0.7:39599` → `tcp://10.0.0.7:39599`, the same for every service that pings it); else scoped
 * to the service, `component://<key>.<service>`, and listed unresolved (an indicator that is up
 * carries no message, so it is scoped until mapped). Terminus's own measurements of the process
 * (memory_heap, memory_rss, disk, storage: the keys its docs give checkHeap, checkRSS and
 * checkStorage) are not dependencies and get no target unless mapped.
 * Output: the indicator's `message`, else a few of its scalar fields.
 * Time: ctx.observedAt (the body has none).
 */
export function adaptTerminus(doc: HealthDocument, ctx: SourceContext): AdaptedReports {
  const root = objectAt(parseJsonBody(doc.body), '');
  const status = terminusStatus(stringAt(root.status, '/status'));
  const service = requireService(undefined, ctx);
  const resolver = new DependencyResolver(ctx.mapping);

  const indicators = new Map<string, [JsonObject, string]>();
  for (const section of ['details', 'info', 'error'] as const) {
    const map = optionalObjectAt(root[section], `/${section}`) ?? {};
    for (const [key, value] of Object.entries(map)) {
      const path = pointer(`/${section}`, key);
      const indicator = objectAt(value, path);
      if (!indicators.has(key)) indicators.set(key, [indicator, path]);
    }
  }

  const checks: CheckInput[] = [];
  // At most MAX_ENTRIES_READ indicators are read past their status: the worst.
  const kept = keepWorst(
    Array.from(indicators.entries()),
    ([, [indicator]]) =>
      typeof indicator.status === 'string' ? indicatorStatus(indicator.status) : 'fail',
    MAX_ENTRIES_READ,
  );
  for (const [key, [indicator, path]] of kept) {
    const fields = Object.fromEntries(Object.entries(indicator).filter(([k]) => k !== 'status'));
    checks.push({
      name: key,
      status: indicatorStatus(stringAt(indicator.status, pointer(path, 'status'))),
      target: resolver.targetFor(service, {
        mappingKeys: [key],
        component: key,
        details: fields,
        role: LOCAL_INDICATORS.has(key) ? 'not-a-dependency' : 'dependency',
      }),
      output: outputText(
        optionalStringAt(indicator.message, pointer(path, 'message')) ?? detailSummary(fields),
      ),
    });
  }

  const report = contextReport(ctx, { service, status, checks });
  return { format: 'terminus', reports: [report], unresolved: resolver.unresolved };
}

/** Indicators that measure the process itself (MemoryHealthIndicator, DiskHealthIndicator as the docs name them). */
const LOCAL_INDICATORS = new Set(['memory_heap', 'memory_rss', 'disk', 'storage']);

export function terminusStatus(raw: string): Status {
  switch (raw.trim().toLowerCase()) {
    case 'ok':
      return 'pass';
    case 'error':
    case 'shutting_down':
      return 'fail';
    default:
      return 'warn';
  }
}

function indicatorStatus(raw: string): Status {
  switch (raw.trim().toLowerCase()) {
    case 'up':
      return 'pass';
    case 'down':
      return 'fail';
    default:
      return 'warn';
  }
}
