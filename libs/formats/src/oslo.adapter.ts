import type { CheckInput, Status } from '@faultline/reports';

import { DependencyResolver } from './dependency-identity';
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
import { contextReport, requireService } from './report-assembly';
import { outputText } from './safe-text';

/**
 * oslo.middleware healthcheck (OpenStack APIs' `/healthcheck`).
 *
 * Accepts the three bodies it serves to a poller: plain text (one reason a line, `OK` when healthy,
 * empty for HEAD), JSON `{"detailed": false, "reasons": ["OK"]}`, and the detailed JSON whose
 * `reasons` are `{reason, details, class}` objects. HTML is refused: poll with Accept: text/plain
 * or application/json.
 * Produces one report; each reason is a check (`healthcheck`, `healthcheck#2`…, or the result's
 * class when it is more telling than the generic `HealthcheckResult`).
 * Status: the HTTP status decides when there is one (2xx: every backend reported available → all
 * pass; anything else → the report fails, and reasons other than `OK` fail); pushed without one,
 * a reason `OK` passes and any other fails.
 * Identity: the body names no service, instance or host: all come from the source. Reasons are
 * the service's own state (disable-by-file and the like), so they get a target only from the
 * mapping or from a URI in their details; they are never listed as unresolved.
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

  if (looksLikeJson(doc, body)) {
    const root = objectAt(parseJsonBody(doc.body), '');
    reasons = arrayAt(root.reasons, '/reasons').map((r, i) =>
      readReason(r, pointer('/reasons', i)),
    );
    const now = optionalStringAt(root.now, '/now');
    if (now !== undefined) observedAt = parseUtcTime(now) ?? refuse('/now', 'is not a time');
  } else {
    if (body.startsWith('<'))
      refuse('', 'is HTML: poll oslo healthcheck with Accept: text/plain or application/json');
    reasons = body
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean)
      .map((reason) => ({ reason }));
    if (!reasons.length && httpHealthy === undefined)
      refuse('', 'is empty and carries no HTTP status');
  }

  const checks: CheckInput[] = reasons.map((r) => {
    const saysOk = r.reason.toUpperCase() === 'OK';
    const status: Status = httpHealthy === true || saysOk ? 'pass' : 'fail';
    const name = r.className && r.className !== 'HealthcheckResult' ? r.className : 'healthcheck';
    const target = resolver.targetFor(service, {
      mappingKeys: [name],
      component: name,
      details: r.details,
      role: 'maybe-dependency',
    });
    return {
      name,
      status,
      target,
      output: outputText(r.details ? `${r.reason}: ${r.details}` : saysOk ? undefined : r.reason),
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
  details?: string;
  className?: string;
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
  return {
    reason,
    details: optionalStringAt(value.details, pointer(path, 'details')) || undefined,
    className: optionalStringAt(value.class, pointer(path, 'class')),
  };
}
