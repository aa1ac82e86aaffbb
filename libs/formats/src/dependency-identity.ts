import {
  DEFAULT_PORTS,
  globalComponentTarget,
  InvalidTargetError,
  type ParsedTarget,
  parseTarget,
  REPORT_LIMITS,
  scopedTarget,
} from '@faultline/reports';

import type { UnresolvedComponent } from './format.model';
import { isObject, ownString } from './json-reader';

export { globalComponentTarget, sanitiseId, scopedTarget } from '@faultline/reports';

/**
 * Which backend a component of a health document is, so that correlation can see that eighteen
 * services' "rabbitmq" is one broker while two services' "db" stay two databases.
 *
 * Resolution order, first answer wins:
 *   1. the source's mapping (ctx.mapping) under the component's full key, then its component part;
 *   2. a global identity the format carries (health+json `componentId`, an alert's target label):
 *      a URI is used as the target, any other id names a global component `component://<id>`;
 *   3. an address in the component's details: a string value that is a whole URI with a scheme and
 *      a host (`jdbc:mysql://db-1:3306/nova`, `amqp://u:p@rabbit-1/`), shallowest first;
 *   4. an address inside free text of the details (an error message), shallowest first: a URI of a
 *      backend scheme (`…on amqp://rabbit-1:5672: [Errno 111]…`), or the peer of a connect error
 *      (`connect ECONNREFUSED 10.0.0.7:39599` → `tcp://10.0.0.7:39599`);
 *   5. a backend scoped to the reporting service, `component://<component>.<service>`, listed as
 *      unresolved so someone can map it.
 * Components that are not dependencies at all (disk space, heap, uptime) get no target unless mapped.
 *
 * Free text is read narrowly so that it cannot merge unrelated failures: only the schemes of
 * backends (DEFAULT_PORTS' keys but http/https, plus tcp and any `jdbc:`), because prose is full of
 * http links to documentation, status pages and wikis that many unrelated errors share; and a
 * connect error's peer only right after its errno (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH,
 * ENETUNREACH, ECONNRESET), where it is the address that failed. A whole-value http(s) URI still
 * counts: a field holding nothing but a URL names what was reached.
 * Never: a loopback address as global (every service's `localhost:6379` is its own Redis). Targets
 * carry no credentials, no query, and a path only when it is a single short segment such as a
 * database or vhost name (multi-segment paths may hold tokens, e.g. webhook URLs).
 */

export type DependencyRole =
  /** A downstream dependency: resolved through every step, scoped when nothing identifies it. */
  | 'dependency'
  /** Possibly a dependency (an oslo reason, an alert): steps 1–3 only, no target when they find nothing. */
  | 'maybe-dependency'
  /** Clearly the service's own health (disk, memory, uptime): a target only when mapped. */
  | 'not-a-dependency';

export interface ComponentRef {
  /** Keys to look up in ctx.mapping, most specific first (`mongo:responseTime`, then `mongo`). */
  mappingKeys: string[];
  /** What the service calls the dependency: names the scoped target and the unresolved entry. */
  component: string;
  /** A global identity carried by the format. */
  globalId?: string;
  /** Where an address may be found; scanned, never echoed. */
  details?: unknown;
  /** Keys of `details` not to scan (health+json `links` point at a gateway shared by many components). */
  ignoreKeys?: readonly string[];
  role: DependencyRole;
}

const MAX_SCAN_DEPTH = 4;
const MAX_SCANNED_VALUES = 500;
const SCHEME_PREFIX = /^(jdbc:)?[a-z][a-z0-9+.-]*:\/\//i;
const HOST_AND_PORT = /^[a-z0-9._-]+:\d{1,5}$/i;
const ADDRESS_KEY =
  /^(url|uri|jdbc_?url|transport_?url|connection(_?string|_?url)?|dsn|address|endpoint|server|broker|host)$/i;
const SAFE_PATH = /^\/[A-Za-z0-9._-]{1,64}$/;
/** Free text is scanned this far: an address that matters comes early in a message. */
const MAX_TEXT_SCAN = 4096;
/** A whole value longer than a stored target can be is no address; it is not parsed as one. */
const MAX_ADDRESS_LENGTH = REPORT_LIMITS.targetLength;

const TEXT_SCHEMES = [...Object.keys(DEFAULT_PORTS).filter((s) => !/^https?$/.test(s)), 'tcp'];
// A backend URI inside prose, up to where its authority and path end (userinfo is matched, then dropped).
const TEXT_URI = new RegExp(
  `(?<![a-z0-9+.-])((?:jdbc:[a-z][a-z0-9+.-]*|${TEXT_SCHEMES.join('|')})://)` +
    `(?:[^\\s/@?#]*@)?(\\[[0-9a-f:.]+\\]|[a-z0-9._-]+)(:\\d{1,5}(?!\\d))?(/[^\\s?#'"<>()\\[\\]{},;]*)?`,
  'gi',
);
// A connect error's peer, as Node writes it (`connect ECONNREFUSED 10.0.0.7:39599`, IPv6 unbracketed).
const ERRNO_PEER =
  /\b(?:ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET)\s+(\[[0-9a-f:.]+\]|[0-9a-f]*:[0-9a-f:.]+|[a-z0-9._-]+):(\d{1,5})(?!\d)/gi;

/**
 * An id from a body cut before it is sanitised (sanitiseId keeps 100 characters, and its
 * patterns are not linear in a long run of dots): what it keeps is unchanged.
 */
const idText = (raw: string): string =>
  raw.length > MAX_ID_SCAN ? raw.slice(0, MAX_ID_SCAN) : raw;
const MAX_ID_SCAN = 400;

export function isLoopback(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\./.test(host) ||
    host === '[::1]' ||
    /^\[::ffff:(127\.|7f[0-9a-f]{2}:)/i.test(host) ||
    host === '0.0.0.0' ||
    host === '[::]'
  );
}

/** A parsed target as it may be stored: scheme, host, port, and a path only when it is one short segment. */
function storedForm(parsed: ParsedTarget, raw: string): string {
  const authority = parsed.port === null ? parsed.host : `${parsed.host}:${parsed.port}`;
  let path = '';
  try {
    const pathname = new URL(raw.trim().replace(/^jdbc:/i, '')).pathname;
    if (SAFE_PATH.test(pathname)) path = pathname;
  } catch {
    // parseTarget accepted it, so this cannot happen; without a path the target is still right.
  }
  return `${parsed.scheme}://${authority}${path}`;
}

function parseAddress(raw: string): ParsedTarget | null {
  try {
    return parseTarget(raw);
  } catch (e) {
    if (e instanceof InvalidTargetError) return null;
    throw e;
  }
}

/** A URI with a scheme and a host, as a stored target; null for anything else (bare words, paths, file:///). */
export function addressTarget(raw: string, allowLoopback: boolean): string | null {
  if (raw.length > MAX_ADDRESS_LENGTH * 2) return null;
  const text = raw.trim();
  if (text.length > MAX_ADDRESS_LENGTH) return null;
  if (!SCHEME_PREFIX.test(text)) return null;
  const parsed = parseAddress(text);
  if (!parsed || (!allowLoopback && isLoopback(parsed.host))) return null;
  return storedForm(parsed, text);
}

/**
 * A name that identifies a backend globally (a mapping value, a componentId, a target label): a URI
 * or `host:port` as itself, anything else as `component://<id>`. Null for a loopback address found
 * in a body, which identifies nothing beyond its own host.
 */
export function namedTarget(raw: string, fromBody: boolean): string | null {
  const text = idText(raw).trim();
  if (!text) return null;
  // Too long to be an address: an id (sanitised and cut to 100 characters).
  if (text.length > MAX_ADDRESS_LENGTH) return globalComponentTarget(text);
  if (SCHEME_PREFIX.test(text)) {
    const address = addressTarget(text, !fromBody);
    if (address) return address;
    if (parseAddress(text)) return null; // a loopback URI
    return globalComponentTarget(text);
  }
  if (HOST_AND_PORT.test(text)) {
    const parsed = parseAddress(text);
    if (parsed && (!fromBody || !isLoopback(parsed.host)))
      return storedForm(parsed, `tcp://${text}`);
    if (parsed) return null;
  }
  return globalComponentTarget(text);
}

/**
 * The first backend address inside free text (see the header for what counts), or null. Matches
 * are taken in the order they appear; a loopback one is skipped.
 */
export function textAddress(text: string): string | null {
  const scanned = text.slice(0, MAX_TEXT_SCAN);
  const found: [number, string][] = [];
  for (const m of scanned.matchAll(TEXT_URI)) {
    const [, scheme, host, port = '', rawPath = ''] = m;
    const path = rawPath.replace(/[.,:;!?'"]+$/, '');
    const target = addressTarget(`${scheme}${host}${port}${path}`, false);
    if (target) {
      found.push([m.index, target]);
      break;
    }
  }
  for (const m of scanned.matchAll(ERRNO_PEER)) {
    const host = m[1].includes(':') && !m[1].startsWith('[') ? `[${m[1]}]` : m[1];
    const target = addressTarget(`tcp://${host}:${m[2]}`, false);
    if (target) {
      found.push([m.index, target]);
      break;
    }
  }
  found.sort((a, b) => a[0] - b[0]);
  return found.length ? found[0][1] : null;
}

/**
 * The first address in a details value, breadth-first, address-named keys first at each depth:
 * a whole-value URI anywhere wins over one inside free text (structured evidence first).
 */
export function findAddress(details: unknown, ignoreKeys: readonly string[] = []): string | null {
  let level: [string, unknown][] = [['', details]];
  let scanned = 0;
  const texts: string[] = [];
  for (let depth = 0; depth <= MAX_SCAN_DEPTH && level.length; depth++) {
    const preferred: string[] = [];
    const others: string[] = [];
    const next: [string, unknown][] = [];
    for (const [key, value] of level) {
      if (++scanned > MAX_SCANNED_VALUES) break;
      if (typeof value === 'string') (ADDRESS_KEY.test(key) ? preferred : others).push(value);
      else if (Array.isArray(value)) for (const item of value) next.push([key, item]);
      else if (isObject(value))
        for (const [k, v] of Object.entries(value))
          if (depth > 0 || !ignoreKeys.includes(k)) next.push([k, v]);
    }
    for (const candidate of [...preferred, ...others]) {
      const target = addressTarget(candidate, false);
      if (target) return target;
      texts.push(candidate);
    }
    level = next;
  }
  for (const text of texts) {
    const target = textAddress(text);
    if (target) return target;
  }
  return null;
}

/** Resolves components to targets for one document, remembering the ones only scoping could name. */
export class DependencyResolver {
  private readonly unresolvedByKey = new Map<string, UnresolvedComponent>();

  constructor(private readonly mapping: Record<string, string> | undefined) {}

  targetFor(service: string, ref: ComponentRef): string | undefined {
    for (const key of ref.mappingKeys) {
      const mapped = ownString(this.mapping, key);
      const target = mapped === undefined ? null : namedTarget(mapped, false);
      if (target) return target;
    }
    if (ref.role === 'not-a-dependency') return undefined;
    if (ref.globalId !== undefined) {
      const target = namedTarget(ref.globalId, true);
      if (target) return target;
    }
    if (ref.details !== undefined) {
      const target = findAddress(ref.details, ref.ignoreKeys);
      if (target) return target;
    }
    if (ref.role === 'maybe-dependency') return undefined;
    const target = scopedTarget(idText(ref.component), idText(service));
    const key = `${service}\u0000${ref.component}`;
    if (!this.unresolvedByKey.has(key))
      this.unresolvedByKey.set(key, { service, component: ref.component, target });
    return target;
  }

  get unresolved(): UnresolvedComponent[] {
    return [...this.unresolvedByKey.values()];
  }
}
