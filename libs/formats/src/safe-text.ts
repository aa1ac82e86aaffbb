import { REPORT_LIMITS } from '@faultline/reports';

/**
 * Text taken from a health document before it reaches a report: credentials removed, NUL and
 * control characters kept out, lengths within the report schema (report.schema.ts), so that what
 * an adapter produces is safe to store and show and does not fail the intake's validation.
 */

// `scheme://user:password@host` → `scheme://host`. Greedy up to the last '@' before the path, so a
// password containing '@' goes too.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;
// `password=…`, `Pwd: …`, `api_key=…` in connection strings, queries and messages.
const SECRET_ASSIGNMENT =
  /\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s;,&'"]+)/gi;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;
// eslint-disable-next-line no-control-regex -- Postgres text cannot hold NUL
const NUL = /\u0000/g;

export function withoutCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1').replace(SECRET_ASSIGNMENT, '$1$2***');
}

/** Cuts to `max` UTF-16 units, never through a surrogate pair, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** A check's output: short, safe, or undefined when there is nothing to say. */
export function outputText(raw: string | undefined | null): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const text = withoutCredentials(raw.replace(NUL, '')).trim();
  return text ? truncate(text, REPORT_LIMITS.outputLength) : undefined;
}

/** A name (check, instance, host): one line, no control characters, within the name limit. */
export function nameText(raw: string, fallback: string): string {
  const text = withoutCredentials(raw.replace(CONTROL, ' ')).trim();
  return truncate(text || fallback, REPORT_LIMITS.nameLength);
}

/** A service name taken from a body: like any name, and without '/' (instance keys are `service/instance`). */
export function serviceText(raw: string, fallback: string): string {
  return nameText(raw.replace(/\//g, '-'), fallback);
}

/** Labels within the schema's limits: at most 50, keys ≤ 100 and values ≤ 500 characters, no NUL. */
export function safeLabels(
  entries: Iterable<[string, string]>,
): Record<string, string> | undefined {
  const out = new Map<string, string>();
  for (const [rawKey, rawValue] of entries) {
    const key = truncate(rawKey.replace(NUL, ''), REPORT_LIMITS.labelKeyLength);
    const value = truncate(
      withoutCredentials(rawValue.replace(NUL, '')),
      REPORT_LIMITS.labelValueLength,
    );
    if (!key) continue;
    if (!out.has(key) && out.size >= REPORT_LIMITS.labels) continue;
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
