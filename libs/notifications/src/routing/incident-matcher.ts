/**
 * Which incidents a route or a silence is about. Every field given must hold (AND); within a
 * list, any entry will do (OR). An empty matcher matches every incident.
 *   services    an affected service is one of these
 *   causeKinds  the top cause is of one of these kinds (backend, host, zone, service, instance,
 *               change: a recorded deploy, config push, … named as the cause)
 *   causeKeys   the top cause key is one of these; a trailing * matches a prefix
 *               (`backend:amqp://*` matches every AMQP broker)
 *   labels      for every k: v, some affected instance carries that label
 *   severity    critical (a shared backend, host, zone or service) or warning (one instance)
 */
export interface IncidentMatcher {
  services?: string[];
  causeKinds?: string[];
  causeKeys?: string[];
  labels?: Record<string, string>;
  severity?: 'critical' | 'warning';
}

/** What a matcher looks at. */
export interface MatchableIncident {
  topCause: { key: string; kind: string };
  services: readonly string[];
  /** Label name → the values the affected instances carry. */
  labels: ReadonlyMap<string, ReadonlySet<string>>;
  severity: 'critical' | 'warning';
}

export function matches(m: IncidentMatcher, incident: MatchableIncident): boolean {
  if (m.services?.length && !incident.services.some((s) => m.services?.includes(s))) return false;
  if (m.causeKinds?.length && !m.causeKinds.includes(incident.topCause.kind)) return false;
  if (m.causeKeys?.length && !m.causeKeys.some((p) => keyMatches(p, incident.topCause.key)))
    return false;
  for (const [k, v] of Object.entries(m.labels ?? {}))
    if (!incident.labels.get(k)?.has(v)) return false;
  if (m.severity && m.severity !== incident.severity) return false;
  return true;
}

const keyMatches = (pattern: string, key: string): boolean =>
  pattern.endsWith('*') ? key.startsWith(pattern.slice(0, -1)) : key === pattern;

/** Shared entities page as critical; one instance's own trouble is a warning. */
export const severityOf = (topCauseKind: string): 'critical' | 'warning' =>
  topCauseKind === 'instance' ? 'warning' : 'critical';

export const incidentMatcherSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    services: {
      type: 'array',
      maxItems: 100,
      items: { type: 'string', minLength: 1, maxLength: 200 },
    },
    causeKinds: {
      type: 'array',
      maxItems: 6,
      items: { enum: ['backend', 'host', 'zone', 'service', 'instance', 'change'] },
    },
    causeKeys: {
      type: 'array',
      maxItems: 100,
      items: { type: 'string', minLength: 1, maxLength: 2000 },
    },
    labels: {
      type: 'object',
      maxProperties: 20,
      additionalProperties: { type: 'string', maxLength: 200 },
    },
    severity: { enum: ['critical', 'warning'] },
  },
} as const;
