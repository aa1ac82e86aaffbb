import { parseTarget, type Report } from '@faultline/reports';

/**
 * Simulated reports as a client would post them (docs/CONTRACT.md native format), for playing a
 * scenario through the real HTTP API. Every name gets `prefix` (so scenarios sharing a database
 * never meet) and every time is shifted by `shiftMs` (so a scenario can be replayed at any
 * instant: event time must stay inside the retention window and not run ahead of the clock).
 */
export function toNativeReport(r: Report, prefix: string, shiftMs: number): object {
  return {
    service: `${prefix}${r.service}`,
    instance: `${prefix}${r.instance}`,
    host: r.host === null ? undefined : `${prefix}${r.host}`,
    labels: Object.fromEntries(
      Object.entries(r.labels).map(([k, v]) => [k, k === 'zone' ? `${prefix}${v}` : v]),
    ),
    observedAt: new Date(r.observedAt + shiftMs).toISOString(),
    status: r.status,
    checks: r.checks.map((c) => ({
      name: c.name,
      target: c.target === null ? undefined : prefixTarget(c.target, prefix),
      status: c.status,
      latencyMs: c.latencyMs ?? undefined,
      output: c.output ?? undefined,
    })),
  };
}

/** The entity key a prefixed replay gives `key` (hosts inside backend URIs are prefixed too). */
export function prefixKey(key: string, prefix: string): string {
  const colon = key.indexOf(':');
  const kind = key.slice(0, colon);
  const rest = key.slice(colon + 1);
  switch (kind) {
    case 'backend':
      return `backend:${prefixTarget(rest, prefix)}`;
    case 'instance': {
      const slash = rest.indexOf('/');
      return `instance:${prefix}${rest.slice(0, slash)}/${prefix}${rest.slice(slash + 1)}`;
    }
    default:
      return `${kind}:${prefix}${rest}`;
  }
}

function prefixTarget(target: string, prefix: string): string {
  const url = new URL(parseTarget(target).display);
  url.hostname = `${prefix}${url.hostname}`;
  return url.toString().replace(/\/$/, '');
}
