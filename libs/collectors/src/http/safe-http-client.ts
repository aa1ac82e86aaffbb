/**
 * The one outbound HTTP client for URLs users register: GETs health endpoints for the poller and
 * POSTs alert notifications to webhooks.
 *
 * Contract of `fetch(url, options)`:
 *   - Resolves with any HTTP status (a 503 is an answer, not a failure: the poller reports it),
 *     the body decoded as UTF-8 and the final URL after redirects (userinfo removed).
 *   - Rejects with FetchFailure only, for everything that happens on the wire or comes from the
 *     URL. Programming errors in `options` reject with RangeError (bad numbers) or TypeError
 *     (header name or value Node cannot send; the message names the header, never its value).
 *   - http: and https: only, GET (default) or POST, no proxy, no decompression (Accept-Encoding is
 *     not sent).
 *   - POST sends `body` (UTF-8, default empty) with its Content-Length; the caller sets
 *     Content-Type. Content-Length and Transfer-Encoding are the client's to set: given for a POST
 *     they are a TypeError. A body with GET is a TypeError.
 *   - A POST is never followed through a redirect: a 3xx answer, Location or not, is returned as a
 *     response like any other status (the caller treats non-2xx as a failed delivery).
 *   - Address policy (see address-policy.ts) on the address actually connected to: literal IP hosts
 *     are checked before connecting, host names inside the socket's DNS lookup (guarded-lookup.ts),
 *     on every redirect hop. A blocked target is never connected to.
 *   - `timeoutMs` is one deadline for the whole call: connect, headers, body and every redirect hop.
 *   - The body is counted while it streams; at most `maxBodyBytes` are ever held, and a declared
 *     Content-Length above the cap fails before any body byte is read.
 *   - Redirects of a GET (301, 302, 303, 307, 308 with a Location) are followed by hand, at most
 *     `maxRedirects` of them; one more fails with 'too-many-redirects' (so 0 means "no redirects").
 *     A 3xx without Location is returned as a response. Once a hop changes origin (scheme, host or
 *     port), EVERY caller-supplied header is dropped for the rest of the chain (custom headers
 *     such as X-Api-Key carry credentials as often as Authorization does); only the client's own
 *     User-Agent goes on. Userinfo in the first URL becomes Basic credentials (unless an
 *     Authorization header is given) and is dropped with them; userinfo in a Location header is
 *     ignored.
 *   - Headers built by `unopenedHeaders(reason)` (secrets that could not be decrypted) make the
 *     call reject with FetchFailure('secret-unavailable', reason) before anything is connected to.
 *   - Sockets are kept alive and reused across calls; `close()` releases them (in-flight calls then
 *     fail with 'network'); the client stays usable and opens new sockets afterwards.
 *   - A reused socket the server had already closed is retried once on a fresh socket: always for
 *     GET, for POST only when not one byte of the request reached the socket, so the client itself
 *     never delivers a webhook twice. A POST whose bytes may have left fails with 'network'.
 *   - Never logs. Error messages name the origin (scheme://host:port) only: no path, query,
 *     userinfo or header can reach them.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type Socket } from 'node:net';

import { isBlockedAddress } from './address-policy';
import { FetchFailure, toFetchFailure } from './fetch-failure';
import { createGuardedLookup, type HostnameResolver, systemResolver } from './guarded-lookup';
import { unopenedReason } from './unopened-secrets';

export interface SafeFetchOptions {
  /** Default 'GET'. */
  method?: 'GET' | 'POST';
  /** POST only; sent as UTF-8 with its Content-Length. Set the content-type in `headers`. */
  body?: string;
  /** Whole call, including body and redirects. Default 5000. */
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** Default 1 MiB; a larger body fails with 'too-large'. */
  maxBodyBytes?: number;
  /** Default 3 (GET only); every hop is checked against the address policy again. */
  maxRedirects?: number;
  /** Default true. */
  tlsVerify?: boolean;
  /** Default false: lets 169.254.0.0/16, fe80::/10 and the cloud metadata addresses through. */
  allowLinkLocal?: boolean;
}

export interface SafeResponse {
  status: number;
  contentType: string | null;
  body: string;
  elapsedMs: number;
  /** Final URL after redirects, without userinfo. */
  url: string;
}

export interface SafeHttpClientOptions {
  /** Name resolution for every connection; defaults to `dns.lookup`. Tests inject fixed answers. */
  lookup?: HostnameResolver;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 3;
// setTimeout fires at once for longer delays, which would turn a huge timeout into no time at all.
const MAX_TIMEOUT_MS = 2_147_483_647;
// Idle pooled sockets are closed after this, so thousands of polled hosts do not pin descriptors.
const IDLE_SOCKET_TIMEOUT_MS = 30_000;
const DEFAULT_USER_AGENT = 'faultline-health-poller';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// A caller's value would contradict the framing the client writes for the body it sends.
const BODY_FRAMING_HEADERS = ['content-length', 'transfer-encoding'];

interface FetchSettings {
  method: 'GET' | 'POST';
  /** Encoded once, so Content-Length is the byte count sent on every attempt. */
  body: Buffer | null;
  timeoutMs: number;
  headers: Record<string, string>;
  maxBodyBytes: number;
  maxRedirects: number;
  tlsVerify: boolean;
  allowLinkLocal: boolean;
}

type HopOutcome =
  | { kind: 'redirect'; location: string }
  | { kind: 'answer'; status: number; contentType: string | null; body: string };

export class SafeHttpClient {
  private readonly resolver: HostnameResolver;
  // One pool per policy: a socket opened under allowLinkLocal or without TLS verification must
  // never be handed to a call that asked for the stricter setting.
  private readonly agents = new Map<string, http.Agent>();
  // Bumped by close(), so a call whose socket close() destroyed fails instead of reconnecting.
  private poolGeneration = 0;

  constructor(options: SafeHttpClientOptions = {}) {
    this.resolver = options.lookup ?? systemResolver;
  }

  async fetch(url: string, options: SafeFetchOptions = {}): Promise<SafeResponse> {
    const startedAt = performance.now();
    const unopened = unopenedReason(options.headers);
    if (unopened !== null) throw new FetchFailure('secret-unavailable', unopened);
    const settings = toSettings(options);
    const deadline = startedAt + settings.timeoutMs;

    const first = parseTarget(url);
    let target = first.target;
    let headers = withBasicCredentials(settings.headers, first.credentials);

    for (let redirectsFollowed = 0; ; redirectsFollowed += 1) {
      assertLiteralHostAllowed(target, settings.allowLinkLocal);
      const outcome = await this.exchange(target, headers, settings, deadline, true);

      if (outcome.kind === 'answer') {
        const elapsedMs = Math.round(performance.now() - startedAt);
        const { status, contentType, body } = outcome;
        return { status, contentType, body, elapsedMs, url: target.href };
      }
      if (redirectsFollowed >= settings.maxRedirects) {
        throw new FetchFailure(
          'too-many-redirects',
          `${originOf(target)}: more than ${settings.maxRedirects} redirects`,
        );
      }
      const next = redirectTarget(outcome.location, target);
      // Another origin gets none of the caller's headers, not only the well-known credentials.
      if (next.origin !== target.origin) headers = { 'user-agent': DEFAULT_USER_AGENT };
      target = next;
    }
  }

  /** Releases pooled sockets; calls still in flight fail with 'network'. */
  close(): void {
    this.poolGeneration += 1;
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  /** One request/response on one hop, retried once if a pooled socket turns out to be dead. */
  private exchange(
    target: URL,
    headers: Record<string, string>,
    settings: FetchSettings,
    deadline: number,
    mayRetryStaleSocket: boolean,
  ): Promise<HopOutcome> {
    const origin = originOf(target);
    const overTls = target.protocol === 'https:';
    const remainingMs = deadline - performance.now();
    if (remainingMs <= 0) return Promise.reject(timeoutFailure(origin, settings.timeoutMs));
    const generation = this.poolGeneration;

    return new Promise<HopOutcome>((resolve, reject) => {
      let settled = false;
      let answered = false;
      const settle = (action: () => void): void => {
        // Destroying the request after settling raises a late "socket hang up"; the outcome is
        // already decided, so later events must not decide it again.
        if (settled) return;
        settled = true;
        clearTimeout(deadlineTimer);
        action();
      };
      const fail = (error: unknown): void =>
        settle(() => {
          request.destroy();
          reject(toFetchFailure(error, origin, overTls));
        });

      const transport = overTls ? https : http;
      const request = transport.request(
        {
          protocol: target.protocol,
          hostname: unbracketed(target.hostname),
          port: target.port === '' ? undefined : Number(target.port),
          path: `${target.pathname}${target.search}`,
          method: settings.method,
          headers: withBodyFraming(headers, settings.body),
          agent: this.agentFor(overTls, settings.tlsVerify, settings.allowLinkLocal),
        },
        (response) => {
          answered = true;
          response.on('error', fail);
          const status = response.statusCode ?? 0;
          const location = response.headers.location;

          // A POST is not replayed elsewhere: the answer, 3xx or not, goes back to the caller.
          const followable = settings.method === 'GET' && REDIRECT_STATUSES.has(status);
          if (followable && location !== undefined) {
            // The redirect's own body is of no use; dropping the socket is cheaper than draining
            // a body of unknown size.
            settle(() => {
              response.destroy();
              resolve({ kind: 'redirect', location });
            });
            return;
          }

          const declaredLength = Number(response.headers['content-length']);
          if (declaredLength > settings.maxBodyBytes) {
            fail(tooLargeFailure(origin, settings.maxBodyBytes));
            return;
          }

          const chunks: Buffer[] = [];
          let receivedBytes = 0;
          response.on('data', (chunk: Buffer) => {
            receivedBytes += chunk.length;
            if (receivedBytes > settings.maxBodyBytes) {
              fail(tooLargeFailure(origin, settings.maxBodyBytes));
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () => {
            if (!response.complete) {
              fail(new FetchFailure('network', `${origin}: connection closed mid-body`));
              return;
            }
            const contentType = response.headers['content-type'] ?? null;
            const body = Buffer.concat(chunks).toString('utf8');
            settle(() => resolve({ kind: 'answer', status, contentType, body }));
          });
        },
      );

      // Byte count of the socket when this request got it, before the request writes anything:
      // the request's 'socket' event comes before it flushes its headers.
      let assignedSocket: Socket | null = null;
      let bytesWrittenBeforeRequest: number | undefined;
      request.on('socket', (socket: Socket) => {
        assignedSocket = socket;
        bytesWrittenBeforeRequest = socket.bytesWritten;
      });
      const noRequestByteWritten = (): boolean =>
        assignedSocket !== null &&
        typeof bytesWrittenBeforeRequest === 'number' &&
        assignedSocket.bytesWritten === bytesWrittenBeforeRequest;

      request.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed while idle fails on first write; GET is
        // idempotent, so one retry on a fresh socket is the documented remedy. A POST the
        // server may have read could be acted on twice, so it is retried only when none of it
        // was written (the count includes bytes still buffered: unsure means no retry).
        const staleSocket = request.reusedSocket && !answered && error.code === 'ECONNRESET';
        const safeToResend = settings.method === 'GET' || noRequestByteWritten();
        const poolStillOpen = generation === this.poolGeneration;
        if (staleSocket && safeToResend && mayRetryStaleSocket && poolStillOpen && !settled) {
          settle(() => {
            request.destroy();
            resolve(this.exchange(target, headers, settings, deadline, false));
          });
          return;
        }
        fail(error);
      });
      // Started after the request exists: events, and so `settle`, only ever arrive later.
      const deadlineTimer = setTimeout(
        () => fail(timeoutFailure(origin, settings.timeoutMs)),
        remainingMs,
      );
      if (settings.body === null) request.end();
      else request.end(settings.body);
    });
  }

  private agentFor(overTls: boolean, tlsVerify: boolean, allowLinkLocal: boolean): http.Agent {
    const key = `${overTls ? 'https' : 'http'}|verify=${tlsVerify}|linkLocal=${allowLinkLocal}`;
    const existing = this.agents.get(key);
    if (existing !== undefined) return existing;

    const poolOptions: http.AgentOptions = {
      keepAlive: true,
      timeout: IDLE_SOCKET_TIMEOUT_MS,
      lookup: createGuardedLookup(this.resolver, allowLinkLocal),
    };
    const agent = overTls
      ? new https.Agent({ ...poolOptions, rejectUnauthorized: tlsVerify })
      : new http.Agent(poolOptions);
    this.agents.set(key, agent);
    return agent;
  }
}

function toSettings(options: SafeFetchOptions): FetchSettings {
  const method = options.method ?? 'GET';
  if (method !== 'GET' && method !== 'POST') {
    throw new TypeError('method must be GET or POST');
  }
  if (method === 'GET' && options.body !== undefined) {
    throw new TypeError('a body is only sent with POST');
  }
  if (options.body !== undefined && typeof options.body !== 'string') {
    throw new TypeError('body must be a string');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new RangeError(`timeoutMs must be a positive number of at most ${MAX_TIMEOUT_MS}`);
  }
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0) {
    throw new RangeError('maxBodyBytes must be a non-negative integer');
  }
  if (!Number.isSafeInteger(maxRedirects) || maxRedirects < 0) {
    throw new RangeError('maxRedirects must be a non-negative integer');
  }
  const headers = toRequestHeaders(options.headers ?? {});
  if (method === 'POST') assertNoBodyFramingHeaders(headers);
  return {
    method,
    body: method === 'POST' ? Buffer.from(options.body ?? '', 'utf8') : null,
    timeoutMs,
    headers,
    maxBodyBytes,
    maxRedirects,
    tlsVerify: options.tlsVerify ?? true,
    allowLinkLocal: options.allowLinkLocal ?? false,
  };
}

/** Lower-cased names (so credential headers are found whatever their spelling), validated. */
function toRequestHeaders(given: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': DEFAULT_USER_AGENT };
  for (const [name, value] of Object.entries(given)) {
    assertSendableHeader(name, value);
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

function assertNoBodyFramingHeaders(headers: Record<string, string>): void {
  for (const name of BODY_FRAMING_HEADERS) {
    if (headers[name] !== undefined) {
      throw new TypeError(`header "${name}" is set by the client from the body`);
    }
  }
}

/** A POST always states its length, even when empty, so servers never wait for a body. */
function withBodyFraming(
  headers: Record<string, string>,
  body: Buffer | null,
): Record<string, string> {
  if (body === null) return headers;
  return { ...headers, 'content-length': String(body.length) };
}

function assertSendableHeader(name: string, value: string): void {
  try {
    http.validateHeaderName(name);
    http.validateHeaderValue(name, value);
  } catch {
    // Rethrown in the caller's realm, naming the header but never its value (it may be a token).
    throw new TypeError(`header "${name}" has a name or value that cannot be sent over HTTP`);
  }
}

interface ParsedTarget {
  target: URL;
  credentials: { username: string; password: string } | null;
}

/** The URL without userinfo, and the userinfo apart. Never echoes the input: it may hold secrets. */
function parseTarget(url: string): ParsedTarget {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    // The parser's message repeats the input, which may carry credentials; ours does not.
    throw new FetchFailure('invalid-url', 'the URL is not a valid absolute URL');
  }
  assertHttpScheme(target);
  const hasUserinfo = target.username !== '' || target.password !== '';
  const credentials = hasUserinfo ? decodeUserinfo(target) : null;
  return { target: withoutUserinfo(target), credentials };
}

function decodeUserinfo(target: URL): { username: string; password: string } {
  try {
    return {
      username: decodeURIComponent(target.username),
      password: decodeURIComponent(target.password),
    };
  } catch {
    // URIError for a stray "%": report it without repeating the userinfo.
    throw new FetchFailure('invalid-url', 'the URL userinfo is not valid percent-encoding');
  }
}

function redirectTarget(location: string, from: URL): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new FetchFailure(
      'invalid-url',
      `${originOf(from)}: redirect Location is not a valid URL`,
    );
  }
  assertHttpScheme(next);
  return withoutUserinfo(next);
}

function assertHttpScheme(target: URL): void {
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new FetchFailure(
      'invalid-url',
      `scheme ${target.protocol} is not supported (only http: and https:)`,
    );
  }
}

/** Node connects to IP literals without calling `lookup`, so they are checked here. */
function assertLiteralHostAllowed(target: URL, allowLinkLocal: boolean): void {
  const host = unbracketed(target.hostname);
  if (isIP(host) !== 0 && isBlockedAddress(host, allowLinkLocal)) {
    throw new FetchFailure('blocked-address', `${originOf(target)}: ${host} is a blocked address`);
  }
}

function withBasicCredentials(
  headers: Record<string, string>,
  credentials: ParsedTarget['credentials'],
): Record<string, string> {
  if (credentials === null || headers.authorization !== undefined) return headers;
  const token = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return { ...headers, authorization: `Basic ${token}` };
}

function withoutUserinfo(url: URL): URL {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy;
}

function unbracketed(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** scheme://host:port — the only part of a URL that goes into messages. */
function originOf(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

function timeoutFailure(origin: string, timeoutMs: number): FetchFailure {
  return new FetchFailure('timeout', `${origin}: no complete response within ${timeoutMs} ms`);
}

function tooLargeFailure(origin: string, maxBodyBytes: number): FetchFailure {
  return new FetchFailure('too-large', `${origin}: response body exceeds ${maxBodyBytes} bytes`);
}
