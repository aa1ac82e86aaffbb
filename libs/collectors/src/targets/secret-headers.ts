/**
 * Which request headers of a poll target are secrets. Secret headers are sealed with
 * FAULTLINE_SECRET_KEY before they reach Postgres and never shown back; the others (Accept,
 * User-Agent, X-Request-Source, ...) are stored in clear, so a target that sets only those
 * needs no key. The rule errs towards sealing: a header is secret when
 *   - its name is a known credential header (Authorization, Proxy-Authorization, Cookie), or
 *   - its name contains auth, token, key, secret, pass, cookie, session, credential,
 *     signature, jwt, bearer, api or private (X-Api-Key, X-Auth-Token, X-Vault-Token, ...), or
 *   - its value starts like a credential (`Bearer `, `Basic `, `Token `, `Digest `).
 */
export function isSecretHeader(name: string, value: string): boolean {
  return SECRET_NAME.test(name) || CREDENTIAL_VALUE.test(value);
}

const SECRET_NAME =
  /auth|token|key|secret|pass|cookie|session|credential|signature|jwt|bearer|api|private/i;
const CREDENTIAL_VALUE = /^\s*(bearer|basic|token|digest|negotiate|apikey)\s/i;

/** Splits a target's headers into the ones to seal and the ones stored in clear. */
export function splitHeaders(headers: Record<string, string>): {
  secret: Record<string, string>;
  clear: Record<string, string>;
} {
  const secret: Record<string, string> = {};
  const clear: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    (isSecretHeader(name, value) ? secret : clear)[name] = value;
  return { secret, clear };
}
