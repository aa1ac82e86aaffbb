import { REPORT_LIMITS } from '@faultline/reports';

/**
 * Text taken from a health document before it reaches a report: credentials removed, NUL and
 * control characters kept out, lengths within the report schema (report.schema.ts), so that what
 * an adapter produces is safe to store and show and does not fail the intake's validation.
 */

// `scheme://user:password@host` → `scheme://host`. Greedy up to the last '@' before the path, so a
// password containing '@' goes too. Any scheme (the scheme is not matched: a pattern for it would
// rescan a long run of `a.a.a…` from every letter); linear, as every `://` holds a '/' that ends
// the previous match's scan.
const URL_USERINFO = /(:\/\/)[^\s/?#]*@/g;
// `password=…`, `Pwd: …`, `api_key=…` in connection strings, queries and messages.
const SECRET_ASSIGNMENT =
  /\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s;,&'"]+)/gi;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;
// eslint-disable-next-line no-control-regex -- Postgres text cannot hold NUL
const NUL = /\u0000/g;

// A URI's authority cut short by `bounded`: its userinfo may be cut before its '@'.
const CUT_AUTHORITY = /:\/\/[^\s/?#]*$/;

/**
 * Text is cut to this many times the length it may keep before any regular expression runs on
 * it (the credential patterns are linear only in short text): a megabyte of reason costs a
 * few kilobytes of work, and what is kept is a prefix of the kept text anyway.
 */
const SCAN_FACTOR = 4;

export function withoutCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1').replace(SECRET_ASSIGNMENT, '$1$2***');
}

/**
 * `text` cut to `max` units before it is scanned; a URI left open by the cut (its userinfo
 * possibly without the '@' that would mark it as one) is dropped whole.
 */
export function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, max).replace(CUT_AUTHORITY, '://');
}

/** Cuts to `max` UTF-16 units, never through a surrogate pair, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** A check's output: short, safe, or undefined when there is nothing to say. */
export function outputText(raw: string | undefined | null): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const limit = REPORT_LIMITS.outputLength;
  const text = withoutCredentials(bounded(raw, limit * SCAN_FACTOR).replace(NUL, '')).trim();
  return text ? truncate(text, limit) : undefined;
}

/** A name (check, instance, host): one line, no control characters, within the name limit. */
export function nameText(raw: string, fallback: string): string {
  const limit = REPORT_LIMITS.nameLength;
  const text = withoutCredentials(bounded(raw, limit * SCAN_FACTOR).replace(CONTROL, ' ')).trim();
  return truncate(text || fallback, limit);
}

/** A service name taken from a body: like any name, and without '/' (instance keys are `service/instance`). */
export function serviceText(raw: string, fallback: string): string {
  return nameText(
    bounded(raw, REPORT_LIMITS.nameLength * SCAN_FACTOR).replace(/\//g, '-'),
    fallback,
  );
}

/** Labels within the schema's limits: at most 50, keys ≤ 100 and values ≤ 500 characters, no NUL. */
export function safeLabels(
  entries: Iterable<[string, string]>,
): Record<string, string> | undefined {
  const out = new Map<string, string>();
  for (const [rawKey, rawValue] of entries) {
    const key = truncate(
      bounded(rawKey, REPORT_LIMITS.labelKeyLength * SCAN_FACTOR).replace(NUL, ''),
      REPORT_LIMITS.labelKeyLength,
    );
    if (!key) continue;
    if (!out.has(key) && out.size >= REPORT_LIMITS.labels) continue;
    const value = truncate(
      withoutCredentials(
        bounded(rawValue, REPORT_LIMITS.labelValueLength * SCAN_FACTOR).replace(NUL, ''),
      ),
      REPORT_LIMITS.labelValueLength,
    );
    out.set(key, value);
  }
  // fromEntries, not assignment: a key such as `__proto__` stays an ordinary label.
  return out.size ? Object.fromEntries(out) : undefined;
}

/** A short `key=value, …` summary of a details object's scalar fields, skipping anything secret-sounding. */
export function detailSummary(
  details: Record<string, unknown> | undefined,
  skip: readonly string[] = [],
  maxFields = 4,
): string | undefined {
  if (!details) return undefined;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (parts.length >= maxFields) break;
    if (skip.includes(key) || SECRET_KEY.test(key)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      parts.push(`${key}=${truncate(String(value), 100)}`);
  }
  return parts.length ? parts.join(', ') : undefined;
}

const SECRET_KEY = /pass|pwd|secret|token|key|credential|auth|cert/i;
