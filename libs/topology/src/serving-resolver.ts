import type { Serving } from './topology.model';

/** The names the resolver may match a target's host against. */
export interface NameIndex {
  /** An explicit alias: the entity key (instance:, service: or host:) serving the backend. */
  alias(backendKey: string): string | undefined;
  /** Instance keys of instances with this instance name (several services may reuse a name). */
  instancesNamed(name: string): readonly string[];
  /** Instance keys of the service, or empty when no such service reports. */
  instancesOfService(service: string): readonly string[];
  hasHost(host: string): boolean;
}

const NONE: Serving = { via: 'none', owner: null, servers: [] };
const BACKEND = /^backend:[a-z][a-z0-9+.-]*:\/\/(\[[^\]]+\]|[^:/]+)/;
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

/** The host part of a backend key (`backend:amqp://rabbit-1:5672` → `rabbit-1`), or null. */
export function backendHost(backendKey: string): string | null {
  const m = BACKEND.exec(backendKey);
  return m ? m[1] : null;
}

/**
 * The names a target host may be known by: itself, and for a DNS name its first label
 * (`rabbit-1.mq.internal` is most likely instance or host `rabbit-1`). IP literals have no label.
 */
export function candidateNames(host: string): string[] {
  if (host.startsWith('[') || IPV4.test(host)) return [host];
  const dot = host.indexOf('.');
  return dot > 0 ? [host, host.slice(0, dot)] : [host];
}

/**
 * Resolves what serves a backend: the thing a check target reaches, when that thing reports too.
 *
 * Contract: an explicit alias wins; otherwise each candidate name of the target's host (see
 * candidateNames) is matched, in this order, against instance names, service names, then host
 * names; the first match wins. A service match is served by all the service's instances (a load
 * balanced endpoint); a host match names the host but no server (which process on the host
 * answers is unknown). Pure; O(k) for k candidate names plus the size of the answer.
 */
export function resolveServing(backendKey: string, names: NameIndex): Serving {
  const alias = names.alias(backendKey);
  if (alias !== undefined) {
    if (alias.startsWith('instance:')) return { via: 'alias', owner: alias, servers: [alias] };
    if (alias.startsWith('service:'))
      return {
        via: 'alias',
        owner: alias,
        servers: [...names.instancesOfService(alias.slice(8))].sort(),
      };
    return { via: 'alias', owner: alias, servers: [] };
  }
  const host = backendHost(backendKey);
  if (host === null) return NONE;
  const candidates = candidateNames(host);
  for (const name of candidates) {
    const instances = names.instancesNamed(name);
    if (instances.length > 0)
      return {
        via: 'instance',
        owner: instances.length === 1 ? instances[0] : null,
        servers: [...instances].sort(),
      };
  }
  for (const name of candidates) {
    const instances = names.instancesOfService(name);
    if (instances.length > 0)
      return { via: 'service', owner: `service:${name}`, servers: [...instances].sort() };
  }
  for (const name of candidates)
    if (names.hasHost(name)) return { via: 'host', owner: `host:${name}`, servers: [] };
  return NONE;
}
