import type { FormatName, HealthDocument } from './format.model';
import { isObject, type JsonObject } from './json-reader';

/**
 * Guesses a document's format from what it carries. Deterministic: the first rule that matches wins,
 * in this order of evidence, strongest first:
 *   1. Content-Type application/health+json                                    → health-json
 *   2. not JSON: plain text of short reason lines (`OK`, `DISABLED BY FILE`,
 *      `RabbitMQ connection failed`; not prose nor a server's error text), or
 *      an empty body with an HTTP status (oslo answers HEAD with 204)           → oslo
 *   then for a JSON object:
 *   3. `alerts` array and a `version` string                                   → alertmanager
 *   4. `entries` object and status Healthy/Degraded/Unhealthy                  → aspnet
 *   5. `info`, `error` or `details` object and status ok/error/shutting_down   → terminus
 *   6. `components` object, or status UP/DOWN/OUT_OF_SERVICE/UNKNOWN          → actuator
 *   7. `checks` object and a health+json status (pass/warn/fail or an alias),
 *      or no `checks` and status exactly pass/warn/fail                        → health-json
 *   8. `reasons` array (oslo's JSON, detailed or not)                          → oslo
 * Anything else (HTML, other JSON, JSON that is not an object) → null.
 */
export function detectFormat(doc: HealthDocument): FormatName | null {
  if (typeof doc?.body !== 'string') return null;
  if (/^application\/health\+json\b/i.test((doc.contentType ?? '').slice(0, 1024).trim()))
    return 'health-json';
  const body = doc.body.trim();
  const json = parseOrUndefined(body);
  if (json === undefined) return looksLikeOsloText(body, doc) ? 'oslo' : null;
  if (!isObject(json)) return null;
  return detectJson(json);
}

const ASPNET_STATUSES = new Set(['Healthy', 'Degraded', 'Unhealthy']);
const TERMINUS_STATUSES = new Set(['ok', 'error', 'shutting_down']);
const ACTUATOR_STATUSES = new Set(['UP', 'DOWN', 'OUT_OF_SERVICE', 'UNKNOWN']);
const HEALTH_JSON_STATUSES = new Set(['pass', 'warn', 'fail']);
const HEALTH_JSON_ALIASES = new Set(['pass', 'warn', 'fail', 'ok', 'up', 'error', 'down']);

function detectJson(json: JsonObject): FormatName | null {
  const status = typeof json.status === 'string' ? json.status : undefined;
  if (Array.isArray(json.alerts) && typeof json.version === 'string') return 'alertmanager';
  if (isObject(json.entries) && status !== undefined && ASPNET_STATUSES.has(status))
    return 'aspnet';
  if (
    (isObject(json.info) || isObject(json.error) || isObject(json.details)) &&
    status !== undefined &&
    TERMINUS_STATUSES.has(status)
  )
    return 'terminus';
  if (isObject(json.components) || (status !== undefined && ACTUATOR_STATUSES.has(status)))
    return 'actuator';
  if (
    isObject(json.checks) &&
    status !== undefined &&
    HEALTH_JSON_ALIASES.has(status.toLowerCase())
  )
    return 'health-json';
  if (json.checks === undefined && status !== undefined && HEALTH_JSON_STATUSES.has(status))
    return 'health-json';
  if (Array.isArray(json.reasons)) return 'oslo';
  return null;
}

function parseOrUndefined(body: string): unknown {
  if (!body.startsWith('{') && !body.startsWith('[')) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

// Oslo's plain reasons are short phrases: its own are upper case ("OK", "DISABLED BY FILE"),
// plugins' any case ("RabbitMQ connection failed"). Anything longer, marked up or shaped like
// prose or a server's error page is some other text, and guessing oslo for it would turn an error
// page into a report.
const UPPER_REASON_LINE = /^[A-Z0-9][A-Z0-9 _.:'/-]{0,199}$/;
const MIXED_REASON_LINE = /^[A-Za-z][A-Za-z0-9 _.'/()-]{0,79}$/;
const MAX_REASON_WORDS = 6;
// What proxies and frameworks answer in plain text: an HTTP reason phrase ("Service Unavailable",
// "404 page not found") or Envoy's "no healthy upstream".
const SERVER_TEXT =
  /^(\d{3}\b.*|no healthy upstream|(bad gateway|service unavailable|gateway time-?out|internal server error|not found|forbidden|unauthorized|too many requests|method not allowed|bad request)\.?)$/i;

function isReasonLine(line: string): boolean {
  if (SERVER_TEXT.test(line)) return false;
  if (UPPER_REASON_LINE.test(line)) return true;
  return MIXED_REASON_LINE.test(line) && line.split(/\s+/).length <= MAX_REASON_WORDS;
}

/** Oslo lists a reason per backend: a longer text is not its answer (and is not scanned). */
const MAX_REASON_LINES = 50;
const MAX_REASON_LINE_LENGTH = 200;

function looksLikeOsloText(body: string, doc: HealthDocument): boolean {
  if (body === '') return doc.httpStatus !== undefined;
  const type = (doc.contentType ?? '').toLowerCase();
  if (type && !type.startsWith('text/plain')) return false;
  // Cut before splitting: 50 lines of 200 characters fit in this, with their line ends.
  const head = body.slice(0, (MAX_REASON_LINE_LENGTH + 2) * (MAX_REASON_LINES + 1));
  const lines = head
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return (
    head.length === body.length &&
    lines.length <= MAX_REASON_LINES &&
    lines.every((l) => l.length <= MAX_REASON_LINE_LENGTH && isReasonLine(l))
  );
}
