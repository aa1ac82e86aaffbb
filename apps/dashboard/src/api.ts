/** The Faultline API as the dashboard reads it: every call carries the read token the user gave. */
const TOKEN_KEY = 'faultline.token';

export class Unauthorized extends Error {}

/** A change as an incident names it (rootCauses[].change and .changes, timeline[].change). */
export interface ChangeRef {
  id: string;
  entity: string;
  kind: string;
  status: string;
  startedAt: string;
  version: string | null;
  source: string | null;
  summary: string;
}
/** A change as GET /api/v1/changes lists it. */
export interface Change extends ChangeRef {
  finishedAt: string | null;
  links: { href: string; text: string | null }[];
}
export interface RootCause {
  key: string;
  kind: string;
  confidence: number;
  summary: string;
  /** On a cause of kind change: the change. */
  change?: ChangeRef;
  /** The changes that bear on the cause, most recent first. */
  changes?: ChangeRef[];
}
export interface TimelineEntry {
  at: string;
  what: string;
  topCause?: string;
  change?: ChangeRef;
}
export interface IncidentSummary {
  id: string;
  status: 'open' | 'resolved';
  openedAt: string;
  resolvedAt: string | null;
  rootCauses: RootCause[];
  affected: { services: string[]; instances: number };
  changedAt: string;
}
export interface IncidentDetail extends Omit<IncidentSummary, 'affected'> {
  affected: { services: string[]; instances: number; instanceKeys: string[] };
  timeline: TimelineEntry[];
  firstEvidenceAt: string;
}
export interface NotificationRecord {
  id: string;
  channelId: string;
  channelName?: string | null;
  kind: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  silencedBy: string[];
}
export interface GraphJson {
  /** The whole graph was over the server's node limit: only its first nodes are here. */
  truncated?: boolean;
  totalNodes?: number;
  nodes: { key: string; attributes: { kind: string; status: string; [k: string]: unknown } }[];
  edges: { key?: string; source: string; target: string; attributes?: { kind?: string } }[];
}
export interface Impact {
  key: string;
  direct: string[];
  transitive: string[];
}

export const token = {
  // sessionStorage: the token lives as long as the tab, never on disk beyond it.
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export async function get<T>(path: string): Promise<T> {
  const t = token.get();
  if (!t) throw new Unauthorized('no token');
  const res = await fetch(path, { headers: { authorization: `Bearer ${t}` } });
  if (res.status === 401 || res.status === 403)
    throw new Unauthorized(`the token was refused (${res.status})`);
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  return (await res.json()) as T;
}

export const api = {
  incidents: (status: 'open' | 'all', limit = 50) =>
    get<{ items: IncidentSummary[] }>(`/api/v1/incidents?status=${status}&limit=${limit}`),
  incident: (id: string) => get<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}`),
  notifications: (incidentId: string) =>
    get<{ items: NotificationRecord[] }>(
      `/api/v1/notifications?incident=${encodeURIComponent(incidentId)}&limit=100`,
    ),
  graph: (around?: string, depth = 2) =>
    get<GraphJson>(
      around
        ? `/api/v1/graph?around=${encodeURIComponent(around)}&depth=${depth}`
        : '/api/v1/graph',
    ),
  /** Changes by start time, newest first: entity, since and until (RFC 3339) narrow them. */
  changes: (query: { entity?: string; since?: string; until?: string; limit?: number }) =>
    get<{ items: Change[] }>(
      `/api/v1/changes?${Object.entries(query)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
        .join('&')}`,
    ),
  impact: (key: string) => get<Impact>(`/api/v1/entities/${encodeURIComponent(key)}/impact`),
  services: () =>
    get<{
      items: { name: string; instances: number; failing: number; stale: number; status: string }[];
    }>('/api/v1/services?limit=500'),
  backends: () =>
    get<{ items: { key: string; dependents: number; failing: number; [k: string]: unknown }[] }>(
      '/api/v1/backends?limit=500',
    ),
  /** Checks a token before keeping it. */
  check: async (candidate: string) =>
    (
      await fetch('/api/v1/incidents?limit=1', {
        headers: { authorization: `Bearer ${candidate}` },
      })
    ).ok,
};
