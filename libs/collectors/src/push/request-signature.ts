import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The header a signing push source sends: `t=<unix seconds>,v2=<hex HMAC-SHA256>` where the
 * HMAC (key: the source's secret) is over the canonical request (canonicalRequest below).
 */
export const SIGNATURE_HEADER = 'x-faultline-signature';
/** A signature may be this old (a slow network, a retry) and no older. */
export const SIGNATURE_MAX_AGE_MS = 5 * 60_000;
/** A signature may be this far ahead of our clock (the sender's clock running fast) and no further. */
export const SIGNATURE_MAX_AHEAD_MS = 60_000;
/** How long a used signature is remembered (replays refused): as long as one could be accepted. */
export const SIGNATURE_REPLAY_WINDOW_MS = SIGNATURE_MAX_AGE_MS + SIGNATURE_MAX_AHEAD_MS;

/** The parts of a request the signature covers, as the server received them. */
export interface SignedRequest {
  method: string;
  /** Path and query as sent: `/api/v1/ingest/oslo?source=s&instance=i-1`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body (UTF-8), exactly as sent. */
  body: string;
}

export type SignatureCheck = { ok: true; v2: string } | { ok: false; reason: string };

/**
 * The text a source signs (scheme v2). Lines joined by "\n" (LF), in this order:
 *
 *   v2
 *   <t>                 the unix time in seconds, as in the header's t=
 *   <METHOD>            upper case: POST
 *   <path>              as sent, percent-encoding untouched, without the query: /api/v1/ingest/actuator
 *   <query>             every parameter, name and value decoded (%XX, and + as a space), then
 *                       re-encoded as RFC 3986 (UTF-8; all but A-Z a-z 0-9 - . _ ~ as %XX,
 *                       upper-case hex), written name=value, sorted by the encoded name then
 *                       the encoded value (byte order), joined by &; empty if none
 *   <headers>           one line per request header whose name starts with x-faultline- (but
 *                       not x-faultline-signature itself), sorted by name: `<name in lower
 *                       case>:<value with surrounding blanks trimmed>` (send each at most once);
 *                       no line at all when there is none
 *   (an empty line)
 *   <body>              the raw body, byte for byte (empty when none)
 *
 * So the signature binds who the request says it is (?service=, ?source=, X-Faultline-Service
 * ...), where it goes and what it carries: none can be changed, added or moved without the secret.
 */
export function canonicalRequest(t: number, req: SignedRequest): string {
  const q = req.url.indexOf('?');
  const path = q === -1 ? req.url : req.url.slice(0, q);
  const query = q === -1 ? '' : canonicalQuery(req.url.slice(q + 1));
  const headers = Object.entries(req.headers)
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .filter(
      ([name, value]) =>
        name.startsWith('x-faultline-') && name !== SIGNATURE_HEADER && value !== undefined,
    )
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${(Array.isArray(value) ? value.join(', ') : value!).trim()}`);
  return ['v2', String(t), req.method.toUpperCase(), path, query, ...headers, '', req.body].join(
    '\n',
  );
}

/** Signs a request as a source would (for clients and tests): the X-Faultline-Signature value. */
export function signRequest(secret: string, req: SignedRequest, atMs: number): string {
  const t = Math.floor(atMs / 1000);
  return `t=${t},v2=${hmac(secret, canonicalRequest(t, req))}`;
}

/**
 * Checks a request signature (pure; `now` in ms): well formed, v2 (the body-only v1 is
 * refused), no older than 5 minutes nor more than 60 s ahead, and matching the canonical
 * request. The timestamp is inside the signed text, so it cannot be refreshed without the
 * secret; comparison is constant-time. A check that passes returns the signature, for the
 * caller's replay cache.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  req: SignedRequest,
  now: number,
): SignatureCheck {
  if (!header)
    return {
      ok: false,
      reason: `this source signs its requests: the ${SIGNATURE_HEADER} header is missing`,
    };
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const given = parts.get('v2');
  if (
    !Number.isInteger(t) ||
    (!given && !parts.has('v1')) ||
    (given && !/^[0-9a-f]{64}$/i.test(given))
  )
    return { ok: false, reason: 'must look like t=<unix seconds>,v2=<64 hex characters>' };
  if (!given)
    return {
      ok: false,
      reason:
        'v1 signs only the body and is no longer accepted: sign the canonical request (method, path, query, X-Faultline-* headers, body) as v2',
    };
  if (now - t * 1000 > SIGNATURE_MAX_AGE_MS)
    return { ok: false, reason: 'is more than 5 minutes old: a replay, or a clock to fix' };
  if (t * 1000 - now > SIGNATURE_MAX_AHEAD_MS)
    return { ok: false, reason: 'is more than 60 seconds ahead of our clock: a clock to fix' };
  const expected = Buffer.from(hmac(secret, canonicalRequest(t, req)), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given.toLowerCase(), 'hex')))
    return {
      ok: false,
      reason:
        'does not match the request (method, path, query, X-Faultline-* headers and body as signed)',
    };
  return { ok: true, v2: given.toLowerCase() };
}

/** RFC 3986 percent-encoding: everything but the unreserved characters. */
const encode = (s: string): string =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

function canonicalQuery(raw: string): string {
  const pairs = [...new URLSearchParams(raw)].map(([k, v]) => [encode(k), encode(v)] as const);
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

const hmac = (secret: string, text: string): string =>
  createHmac('sha256', secret).update(text).digest('hex');

/**
 * @deprecated The body-only v1 scheme (`t=…,v1=HMAC("<t>.<body>")`): no longer accepted, kept
 * for tests that show it refused. Sign with signRequest.
 */
export function signBody(secret: string, body: string, atMs: number): string {
  const t = Math.floor(atMs / 1000);
  return `t=${t},v1=${hmac(secret, `${t}.${body}`)}`;
}
