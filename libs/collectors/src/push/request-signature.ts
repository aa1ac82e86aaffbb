import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a signing source sends: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const SIGNATURE_HEADER = 'x-faultline-signature';
/** Signatures older (or further ahead) than this are refused: a captured request cannot be replayed later. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Signs a body as a source would (for clients and tests). */
export function signBody(secret: string, body: string, atMs: number): string {
  const t = Math.floor(atMs / 1000);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

/**
 * Checks a request signature (pure; `now` in ms). The timestamp is inside the signed text, so
 * it cannot be refreshed without the secret; comparison is constant-time.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  rawBody: string,
  now: number,
): SignatureCheck {
  if (!header)
    return {
      ok: false,
      reason: `this source signs its requests: the ${SIGNATURE_HEADER} header is missing`,
    };
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isInteger(t) || !given || !/^[0-9a-f]{64}$/i.test(given))
    return { ok: false, reason: 'must look like t=<unix seconds>,v1=<64 hex characters>' };
  if (Math.abs(now - t * 1000) > SIGNATURE_TOLERANCE_MS)
    return {
      ok: false,
      reason: 'is more than 5 minutes old or ahead: a replay, or a clock to fix',
    };
  const expected = Buffer.from(hmac(secret, t, rawBody), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given.toLowerCase(), 'hex')))
    return { ok: false, reason: 'does not match the body' };
  return { ok: true };
}

const hmac = (secret: string, t: number, body: string): string =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
