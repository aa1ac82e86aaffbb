/**
 * Entity keys name everything a root cause can be (docs/CONTRACT.md, "Entity keys"):
 *   backend:<scheme>://<host>:<port>, host:<h>, service:<s>, instance:<s>/<i>, zone:<z>.
 * Two checks that reach the same backend must produce the same key whatever credentials,
 * path, query or spelling of the default port they used, or correlation cannot see that
 * eighteen services share one broker.
 */

/** Ports filled in when a target omits them. */
export const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  amqp: 5672,
  amqps: 5671,
  mysql: 3306,
  mariadb: 3306,
  postgres: 5432,
  postgresql: 5432,
  redis: 6379,
  rediss: 6379,
  memcached: 11211,
  http: 80,
  https: 443,
  mongodb: 27017,
  kafka: 9092,
  nats: 4222,
  ldap: 389,
  ldaps: 636,
  mqtt: 1883,
  smtp: 25,
};

export type EntityKind = 'backend' | 'host' | 'service' | 'instance' | 'zone';

export interface ParsedTarget {
  /** `backend:<scheme>://<host>:<port>` (port omitted only for unknown schemes without one). */
  key: string;
  scheme: string;
  host: string;
  port: number | null;
  /** The target as it may be stored: credentials and query removed, path kept. */
  display: string;
}

/** Thrown for a target that names no host; the message is the reason shown to the client. */
export class InvalidTargetError extends Error {}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const BARE_HOST_PORT = /^[a-z0-9._-]+(:\d{1,5})?$/i;

/**
 * Normalises a check target into its backend key.
 * Accepts `scheme://[user[:pw]@]host[:port][/path][?query]`, a `jdbc:` prefix, and a bare
 * `host[:port]` (taken as tcp). Throws InvalidTargetError for anything else.
 */
export function parseTarget(raw: string): ParsedTarget {
  const known = parsedTargets.get(raw);
  if (known) return known;
  const parsed = Object.freeze(parseTargetText(raw));
  // A fleet names a few hundred backends, each in every report: WHATWG URL parsing once each.
  // Long targets are not kept, so the cache stays small whatever a sender makes up.
  if (raw.length > CACHED_TARGET_MAX_LENGTH) return parsed;
  if (parsedTargets.size >= PARSED_TARGETS_MAX) parsedTargets.clear();
  parsedTargets.set(raw, parsed);
  return parsed;
}

/** Targets parsed lately (only valid ones: an invalid target is parsed again, and refused again). */
const parsedTargets = new Map<string, Readonly<ParsedTarget>>();
const PARSED_TARGETS_MAX = 10_000;
const CACHED_TARGET_MAX_LENGTH = 256;

function parseTargetText(raw: string): ParsedTarget {
  let text = raw.trim();
  if (/^jdbc:/i.test(text)) text = text.slice(5);
  if (!SCHEME.test(text)) {
    if (!BARE_HOST_PORT.test(text))
      throw new InvalidTargetError('must be a URI such as amqp://host:5672, or host:port');
    text = `tcp://${text}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidTargetError('is not a valid URI');
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (!host) throw new InvalidTargetError('names no host');
  const port = url.port ? Number(url.port) : (DEFAULT_PORTS[scheme] ?? null);
  const authority = port === null ? host : `${host}:${port}`;
  const path = url.pathname && url.pathname !== '/' ? url.pathname : '';
  return {
    key: `backend:${scheme}://${authority}`,
    scheme,
    host,
    port,
    display: `${scheme}://${authority}${path}`,
  };
}

export const hostKey = (host: string): string => `host:${host}`;
export const serviceKey = (service: string): string => `service:${service}`;
export const instanceKey = (service: string, instance: string): string =>
  `instance:${service}/${instance}`;
export const zoneKey = (zone: string): string => `zone:${zone}`;

/** The kind of an entity key, or null when it has no known prefix. */
export function entityKind(key: string): EntityKind | null {
  const kind = key.slice(0, key.indexOf(':'));
  return kind === 'backend' ||
    kind === 'host' ||
    kind === 'service' ||
    kind === 'instance' ||
    kind === 'zone'
    ? kind
    : null;
}

/*
 * Backends named only by a component name. A health document that calls a dependency "redis"
 * without an address gets `component://redis.<service>`: scoped to its service (two services'
 * "db" may well be two databases), with the name kept so correlation can notice when several
 * services lose their "redis" at once.
 */

/** An id as a host name: lower-case, characters outside [a-z0-9.-] replaced by '-', no dots at either end. */
export function sanitiseId(raw: string): string {
  const text = raw.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  // Dots trimmed by hand: /\.+$/ on a long run of dots backtracks quadratically.
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === '.') start++;
  while (end > start && text[end - 1] === '.') end--;
  return text.slice(start, end).slice(0, 100) || 'unnamed';
}

/** The target of a backend known only to one service. */
export const scopedTarget = (component: string, service: string): string =>
  `component://${sanitiseId(component)}.${sanitiseId(service)}`;

/** The target of a component known by a global, non-URI id. */
export const globalComponentTarget = (id: string): string => `component://${sanitiseId(id)}`;

/**
 * The component name of a target scoped to `service` (`backend:component://redis.orders` of
 * service orders → `redis`), or null for any other target key.
 */
export function scopedComponentName(targetKey: string, service: string): string | null {
  const prefix = 'backend:component://';
  const suffix = `.${sanitiseId(service)}`;
  if (!targetKey.startsWith(prefix) || !targetKey.endsWith(suffix)) return null;
  const name = targetKey.slice(prefix.length, targetKey.length - suffix.length);
  return name || null;
}
