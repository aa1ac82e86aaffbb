/**
 * The one error type `SafeHttpClient.fetch` rejects with, and the mapping from Node's transport
 * errors to a small set of reasons the poller can turn into reports.
 *
 * Contract: `message` is human-readable and built only from the target's origin
 * (`scheme://host:port`, never userinfo, path or query) and Node's own error code and message,
 * which describe sockets, DNS, TLS and HTTP parsing and never echo request headers. No `cause` is
 * attached, so nothing from the request can leak through a logged error chain.
 */
export type FetchFailureReason =
  | 'invalid-url'
  | 'blocked-address'
  | 'dns'
  | 'refused'
  | 'timeout'
  | 'tls'
  | 'too-large'
  | 'too-many-redirects'
  | 'protocol'
  | 'network'
  /** The request needs secrets (headers, URL) that could not be decrypted: nothing was sent. */
  | 'secret-unavailable';

export class FetchFailure extends Error {
  override readonly name = 'FetchFailure';

  constructor(
    readonly reason: FetchFailureReason,
    message: string,
  ) {
    super(message);
  }
}

// getaddrinfo reports NXDOMAIN as ENOTFOUND; the others are resolver outages or empty answers.
const DNS_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EAI_NONAME',
  'ENODATA',
]);

// OpenSSL certificate verification results, as Node exposes them in `error.code`.
const CERTIFICATE_CODE = new RegExp(
  '^(UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|CERT_|CRL_|ERROR_IN_CERT|' +
    'INVALID_CA$|INVALID_PURPOSE$|PATH_LENGTH_EXCEEDED$|HOSTNAME_MISMATCH$)',
);

/**
 * Classifies an error raised while connecting, sending or receiving. `overTls` tells whether the
 * hop was https, because Node reports some TLS handshake failures only as a generic EPROTO.
 *
 * Non-HTTP bytes from the server surface as llhttp parse errors (`HPE_*`) and map to 'protocol';
 * a server that closes the connection without answering (or says nothing parseable before closing)
 * surfaces as ECONNRESET "socket hang up" and maps to 'network'.
 */
export function toFetchFailure(error: unknown, origin: string, overTls: boolean): FetchFailure {
  if (error instanceof FetchFailure) return error;
  const { code, syscall, message } = describeError(error);
  const detail = [code, message].filter((part) => part !== '').join(': ') || 'no detail';

  if (DNS_CODES.has(code) || syscall === 'getaddrinfo') {
    return new FetchFailure('dns', `${origin}: host name could not be resolved (${detail})`);
  }
  if (code === 'ECONNREFUSED') {
    return new FetchFailure('refused', `${origin}: connection refused (${detail})`);
  }
  if (code === 'ETIMEDOUT') {
    return new FetchFailure('timeout', `${origin}: connection timed out (${detail})`);
  }
  const isTlsCode =
    code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || CERTIFICATE_CODE.test(code);
  if (isTlsCode || (overTls && code === 'EPROTO')) {
    const description = `${origin}: TLS handshake or certificate check failed (${detail})`;
    return new FetchFailure('tls', description);
  }
  if (code.startsWith('HPE_')) {
    return new FetchFailure('protocol', `${origin}: the response is not valid HTTP (${detail})`);
  }
  return new FetchFailure('network', `${origin}: network error (${detail})`);
}

// Duck-typed rather than `instanceof Error`: errors raised inside Node's internals belong to
// another realm than the caller's when the caller runs in a sandbox (jest, vm).
function describeError(error: unknown): { code: string; syscall: string; message: string } {
  if (typeof error !== 'object' || error === null) {
    return { code: '', syscall: '', message: String(error) };
  }
  const fields = error as Partial<Record<'code' | 'syscall' | 'message', unknown>>;
  const { code, syscall, message } = fields;
  return {
    code: typeof code === 'string' ? code : '',
    syscall: typeof syscall === 'string' ? syscall : '',
    message: typeof message === 'string' ? message : '',
  };
}
