import type { CheckInput, Status } from '@faultline/reports';

import { DependencyResolver, type DependencyRole } from './dependency-identity';
import { contextTime, parseRfc3339 } from './event-time';
import type { AdaptedReports, HealthDocument, SourceContext } from './format.model';
import {
  isObject,
  type JsonObject,
  objectAt,
  optionalObjectAt,
  optionalStringAt,
  parseJsonBody,
  pointer,
  refuse,
  stringAt,
} from './json-reader';
import { contextReport, keepWorst, MAX_ENTRIES_READ, requireService } from './report-assembly';
import { outputText, serviceText } from './safe-text';

/**
 * IETF Health Check Response Format for HTTP APIs (draft-inadarei-api-health-check, application/health+json).
 *
 * Accepts `{status, version?, releaseId?, serviceId?, output?, checks?: {"<component>:<measurement>": [ {…} ]}}`.
 * Produces one report; each element of each `checks` array is a check (at most MAX_ENTRIES_READ,
 * 200, are read: the worst by their status, the rest neither read nor validated) named by its key (a key with
 * several elements is told apart by `node`, then `componentId`, then position: `cpu:utilization{node=1}`).
 * Status (case-insensitive): pass/ok/up → pass, warn → warn, fail/error/down → fail, anything else
 * → warn. An element without a status takes the document's. An HTTP status ≥ 400 fails the report
 * whatever the body says (the draft makes the HTTP code authoritative for the whole service).
 * Identity: `serviceId` names the service (else the source's); `version` and `releaseId` become
 * labels; instance and host come from the source. A check's target: the mapping under its key,
 * then its component part (`mongo:responseTime`, `mongo`); then `componentId` (a URI as itself, any
 * other id as the global `component://<id>`); then a URI among the element's own extra keys; else
 * scoped to the service. `componentType: system` elements (uptime, cpu, memory) get no target.
 * Latency: a `responseTime` measurement's observedValue in ms or s. Output: the element's `output`,
 * else its observed value and unit.
 * Time: the latest element `time`, else ctx.observedAt.
 */
export function adaptHealthJson(doc: HealthDocument, ctx: SourceContext): AdaptedReports {
  const root = objectAt(parseJsonBody(doc.body), '');
  const documentStatus = healthJsonStatus(stringAt(root.status, '/status'));
  const serviceId = optionalStringAt(root.serviceId, '/serviceId');
  const service = requireService(
    serviceId?.trim() ? serviceText(serviceId, 'service') : undefined,
    ctx,
  );
  const resolver = new DependencyResolver(ctx.mapping);
  const checks: CheckInput[] = [];
  let latestTime: number | null = null;

  const checksObject = optionalObjectAt(root.checks, '/checks');
  // Every element with its key, name and place: at most MAX_ENTRIES_READ are read, the worst kept.
  const all: { key: string; name: string; element: unknown; path: string }[] = [];
  for (const [key, value] of Object.entries(checksObject ?? {})) {
    const keyPath = pointer('/checks', key);
    // The draft says arrays; a lone object is read as a one-element array rather than refused.
    const elements: unknown[] = Array.isArray(value) ? value : [value];
    const names = elementNames(key, elements);
    for (let i = 0; i < elements.length; i++)
      all.push({
        key,
        name: names[i],
        element: elements[i],
        path: Array.isArray(value) ? pointer(keyPath, i) : keyPath,
      });
  }
  const rawStatusOf = (element: unknown): Status =>
    isObject(element) && typeof element.status === 'string'
      ? healthJsonStatus(element.status)
      : documentStatus;
  for (const { key, name, element, path } of keepWorst(
    all,
    (e) => rawStatusOf(e.element),
    MAX_ENTRIES_READ,
  )) {
    const entry = objectAt(element, path);
    const time = optionalStringAt(entry.time, pointer(path, 'time'));
    if (time !== undefined) {
      const ms = parseRfc3339(time) ?? refuse(pointer(path, 'time'), 'is not an RFC 3339 time');
      if (latestTime === null || ms > latestTime) latestTime = ms;
    }
    const rawStatus = optionalStringAt(entry.status, pointer(path, 'status'));
    const componentId = optionalStringAt(entry.componentId, pointer(path, 'componentId'));
    const componentType = optionalStringAt(entry.componentType, pointer(path, 'componentType'));
    const [component, measurement] = splitKey(key);
    checks.push({
      name,
      status: rawStatus === undefined ? documentStatus : healthJsonStatus(rawStatus),
      target: resolver.targetFor(service, {
        mappingKeys: component === key ? [key] : [key, component],
        component,
        globalId: componentId,
        details: extraKeys(entry),
        role: roleOf(component, componentType),
      }),
      latencyMs: responseTimeMs(measurement, entry),
      output:
        outputText(optionalStringAt(entry.output, pointer(path, 'output'))) ??
        observedSummary(entry),
    });
  }

  const httpFailed = doc.httpStatus !== undefined && doc.httpStatus >= 400;
  const bodyLabels: [string, string][] = [];
  for (const field of ['version', 'releaseId'] as const) {
    const value = optionalStringAt(root[field], `/${field}`);
    if (value) bodyLabels.push([field, value]);
  }
  const report = contextReport(ctx, {
    service,
    status: httpFailed ? 'fail' : documentStatus,
    checks,
    observedAt: latestTime ?? contextTime(ctx.observedAt),
    bodyLabels: bodyLabels,
  });
  return { format: 'health-json', reports: [report], unresolved: resolver.unresolved };
}

const PASS = new Set(['pass', 'ok', 'up']);
const FAIL = new Set(['fail', 'error', 'down']);

export function healthJsonStatus(raw: string): Status {
  const value = raw.trim().toLowerCase();
  if (PASS.has(value)) return 'pass';
  if (FAIL.has(value)) return 'fail';
  return 'warn';
}

/** `{componentName}:{measurementName}`; the measurement may itself be a URI, so split at the first colon only. */
function splitKey(key: string): [component: string, measurement: string | undefined] {
  const colon = key.indexOf(':');
  return colon > 0 ? [key.slice(0, colon), key.slice(colon + 1)] : [key, undefined];
}

const SYSTEM_COMPONENTS = new Set(['uptime', 'cpu', 'memory']);

function roleOf(component: string, componentType: string | undefined): DependencyRole {
  if (componentType !== undefined)
    return componentType.toLowerCase() === 'system' ? 'not-a-dependency' : 'dependency';
  return SYSTEM_COMPONENTS.has(component.toLowerCase()) ? 'not-a-dependency' : 'dependency';
}

/** Names for the elements under one key: the key itself, or the key qualified by what tells them apart. */
function elementNames(key: string, elements: unknown[]): string[] {
  if (elements.length < 2) return [key];
  for (const field of ['node', 'componentId']) {
    const values = elements.map((e) =>
      isObject(e) && (typeof e[field] === 'string' || typeof e[field] === 'number')
        ? String(e[field])
        : undefined,
    );
    if (values.every((v) => v !== undefined) && new Set(values).size === values.length)
      return values.map((v) => `${key}{${field}=${v}}`);
  }
  return elements.map((_, i) => `${key}{#${i + 1}}`);
}

const STANDARD_KEYS = new Set([
  'componentId',
  'componentType',
  'observedValue',
  'observedUnit',
  'status',
  'affectedEndpoints',
  'time',
  'output',
  'links',
]);

/** The element's user-defined keys (the draft's "additional keys"): where an address may be. */
function extraKeys(entry: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(entry).filter(([k]) => !STANDARD_KEYS.has(k)));
}

const TO_MS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
};

function responseTimeMs(measurement: string | undefined, entry: JsonObject): number | undefined {
  if (
    measurement?.toLowerCase() !== 'responsetime' ||
    typeof entry.observedValue !== 'number' ||
    entry.observedValue < 0
  )
    return undefined;
  const factor =
    typeof entry.observedUnit === 'string' ? TO_MS[entry.observedUnit.toLowerCase()] : undefined;
  return factor === undefined ? undefined : entry.observedValue * factor;
}

function observedSummary(entry: JsonObject): string | undefined {
  const value = entry.observedValue;
  if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean')
    return undefined;
  const unit = typeof entry.observedUnit === 'string' ? ` ${entry.observedUnit}` : '';
  return outputText(`observed ${value}${unit}`);
}
