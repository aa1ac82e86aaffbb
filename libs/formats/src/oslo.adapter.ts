import { type CheckInput, parseTarget, type Status } from '@faultline/reports';

import { DependencyResolver, findAddress } from './dependency-identity';
import { contextTime, parseUtcTime } from './event-time';
import type { AdaptedReports, HealthDocument, SourceContext } from './format.model';
import {
  arrayAt,
  isObject,
  objectAt,
  optionalStringAt,
  parseJsonBody,
  pointer,
  refuse,
} from './json-reader';
import { contextReport, keepWorst, MAX_ENTRIES_READ, requireService } from './report-assembly';
import { detailSummary, outputText, truncate } from './safe-text';

/**
 * oslo.middleware healthcheck (OpenStack APIs' `/healthcheck`).
 *
 * Accepts the three bodies it serves to a poller: plain text (one reason a line, `OK` when healthy,
 * empty for HEAD), JSON `{"detailed": false, "reasons": ["OK"]}`, and the detailed JSON whose
 * `reasons` are `{reason, details, class}` objects. `details` is whatever the plugin returned
 * (oslo serialises it as is): a string, an object, an array, a number or null are all read.
 * HTML is refused: poll with Accept: text/plain or application/json.
 * Produces one report; each reason is a check. At most MAX_ENTRIES_READ (200) reasons are read: of
 * a longer list the failing ones are kept first (the rest are not read, nor validated). Every reason's class is oslo's own
 * `HealthcheckResult`, so a check is named by what tells it apart and stays the same whether it
 * passes or fails (a name that changed with the state would look like one check vanishing and
 * another appearing), first answer wins:
 *   1. its class, when it is not `HealthcheckResult`;
 *   2. a `plugin` or `name` field of object details;
 *   3. oslo's built-in plugins by their own texts: `disable_by_file` ("Path '…' was found" / "was
 *      not found", reason DISABLED BY FILE), `enable_by_files` ("File path … is missing",
 *      "Specified file paths are available", reason FILE PATH MISSING);
 *   4. the address found in its details (see dependency-identity): `host:port`, or `scheme://host`
 *      when it has no port;
 *   5. its reason text, unless that is `OK`;
 *   6. `healthcheck` (several: `healthcheck#2`… in the order oslo lists its backends, which is fixed).
 * A plugin whose details name its backend only when failing, and a text or non-detailed body (the
 * reasons alone), can still change name with state: map such a check, or use detailed mode.
 * Status: the HTTP status decides when there is one (2xx: every backend reported available → all
 * pass; anything else → the report fails, and reasons other than `OK` fail); pushed without one,
 * a reason `OK` passes and any other fails.
 * Identity: the body names no service, instance or host: all come from the source. A reason may be
 * the service's own state (disable-by-file), so it gets a target only from the mapping (under its
 * name, its class or its reason text) or from an address in its details (without details, in its
 * reason text); never listed unresolved.
 * Output: the reason, then the details (a string as is, an object or array as a short summary).
 * Time: the detailed body's `now` (UTC), else ctx.observedAt.
 */
export function adaptOslo(doc: HealthDocument, ctx: SourceContext): AdaptedReports {
  const service = requireService(undefined, ctx);
  const resolver = new DependencyResolver(ctx.mapping);
  const body = doc.body.trim();
  const httpHealthy =
    doc.httpStatus === undefined ? undefined : doc.httpStatus >= 200 && doc.httpStatus < 300;
  let observedAt = contextTime(ctx.observedAt);
  let reasons: OsloReason[];

  // At most MAX_ENTRIES_READ reasons are read, the failing ones first (see keepWorst).
  const statusOf = (reason: string): Status =>
    httpHealthy === true || isOk(reason) ? 'pass' : 'fail';
  if (looksLikeJson(doc, body)) {
    const root = objectAt(parseJsonBody(doc.body), '');
    const all = arrayAt(root.reasons, '/reasons');
    reasons = keepWorst(
      all.map((_, i) => i),
      (i) => statusOf(rawReason(all[i])),
      MAX_ENTRIES_READ,
    ).map((i) => readReason(all[i], pointer('/reasons', i)));
    const now = optionalStringAt(root.now, '/now');
    if (now !== undefined) observedAt = parseUtcTime(now) ?? refuse('/now', 'is not a time');
  } else {
    if (body.startsWith('<'))
      refuse('', 'is HTML: poll oslo healthcheck with Accept: text/plain or application/json');
    const lines = body
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
    reasons = keepWorst(lines, statusOf, MAX_ENTRIES_READ).map((reason) => ({ reason }));
    if (!reasons.length && httpHealthy === undefined)
      refuse('', 'is empty and carries no HTTP status');
  }

  const checks: CheckInput[] = reasons.map((r) => {
    const saysOk = isOk(r.reason);
    const status: Status = httpHealthy === true || saysOk ? 'pass' : 'fail';
    const name = checkName(r);
    const target = resolver.targetFor(service, {
      mappingKeys: [...new Set([name, r.className, r.reason].filter((k) => k !== undefined))],
      component: name,
      // A reason line is free text too: the only place a text answer can name its backend.
      details: r.details ?? r.reason,
      role: 'maybe-dependency',
    });
    const details = detailsText(r.details);
    return {
      name,
      status,
      target,
      output: outputText(details ? `${r.reason}: ${details}` : saysOk ? undefined : r.reason),
    };
  });
  // A HEAD poll, an empty body or an empty reason list (no backends configured) still says something.
  if (!checks.length)
    checks.push({
      name: 'healthcheck',
      status: httpHealthy === false ? 'fail' : 'pass',
      output: httpHealthy === false ? `HTTP ${doc.httpStatus}` : undefined,
    });

  const status: Status | undefined =
    httpHealthy === undefined ? undefined : httpHealthy ? 'pass' : 'fail';
  const report = contextReport(ctx, { service, status, checks, observedAt });
  return { format: 'oslo', reports: [report], unresolved: resolver.unresolved };
}

interface OsloReason {
  reason: string;
  /** Any JSON the plugin returned; undefined when absent, null or empty. */
  details?: unknown;
  className?: string;
}

const GENERIC_CLASS = 'HealthcheckResult';

const isOk = (reason: string): boolean => reason.length === 2 && reason.toUpperCase() === 'OK';

/** A raw reason's text, for its status before it is read (anything unreadable fails). */
const rawReason = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : isObject(value) && typeof value.reason === 'string'
      ? value.reason
      : '';

/** oslo's built-in plugins' texts are short: longer details are never one of them (nor scanned). */
const MAX_PLUGIN_TEXT = 1024;

// oslo.middleware's own plugins (disable_by_file.py, enable_by_files.py), by the texts they return.
const DISABLE_BY_FILE_DETAILS =
  /^(Path '.*' was (not )?found|No 'disable_by_file_path' configuration value specified)$/s;
const ENABLE_BY_FILES_DETAILS = /^(File path .* is missing|Specified file paths are available)$/s;

/** The check's name: the rule in the header, first answer wins. */
function checkName(r: OsloReason): string {
  if (r.className && r.className !== GENERIC_CLASS) return r.className;
  if (isObject(r.details))
    for (const key of ['plugin', 'name']) {
      const value = r.details[key];
      if (typeof value === 'string' && value.trim()) return value;
    }
  const details =
    typeof r.details === 'string' && r.details.length <= MAX_PLUGIN_TEXT ? r.details.trim() : '';
  const reason = r.reason.length <= MAX_PLUGIN_TEXT ? r.reason.trim().toUpperCase() : '';
  if (DISABLE_BY_FILE_DETAILS.test(details) || reason === 'DISABLED BY FILE')
    return 'disable_by_file';
  if (ENABLE_BY_FILES_DETAILS.test(details) || reason === 'FILE PATH MISSING')
    return 'enable_by_files';
  const address = r.details === undefined ? null : findAddress(r.details);
  if (address) {
    const { scheme, host, port } = parseTarget(address);
    return port === null ? `${scheme}://${host}` : `${host}:${port}`;
  }
  if (r.reason.trim() && reason !== 'OK') return r.reason.trim();
  return 'healthcheck';
}

/** Details as output text: a string as is, a scalar as text, an object or array summarised. */
function detailsText(details: unknown): string | undefined {
  if (details === undefined) return undefined;
  if (typeof details === 'string') return details;
  if (typeof details === 'number' || typeof details === 'boolean') return String(details);
  if (Array.isArray(details)) {
    const scalars = details.filter((d) => ['string', 'number', 'boolean'].includes(typeof d));
    const shown = scalars.slice(0, 4).map((d) => truncate(String(d), 100));
    if (!shown.length) return `${details.length} item(s)`;
    return shown.join(', ') + (details.length > shown.length ? ', …' : '');
  }
  return isObject(details) ? detailSummary(details) : undefined;
}

function looksLikeJson(doc: HealthDocument, body: string): boolean {
  return /json/i.test(doc.contentType ?? '') || body.startsWith('{');
}

/** A reason is a string (non-detailed) or `{reason, details, class}` (detailed). */
function readReason(value: unknown, path: string): OsloReason {
  if (typeof value === 'string') return { reason: value };
  if (!isObject(value)) return refuse(path, 'must be a string or an object');
  const reason =
    optionalStringAt(value.reason, pointer(path, 'reason')) ??
    refuse(pointer(path, 'reason'), 'is required');
  // oslo writes `result.details or ''`: an empty string or null means none.
  const details = value.details === '' || value.details === null ? undefined : value.details;
  return {
    reason,
    details,
    className: optionalStringAt(value.class, pointer(path, 'class')),
  };
}
