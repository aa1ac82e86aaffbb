import type { Change, ChangeView } from '../change.model';
import type { ChangeRow } from './change.repository';

/** A stored change as the API shows it (RFC 3339 times). */
export function toChangeView(r: ChangeRow): ChangeView {
  return {
    id: r.id,
    entity: r.entity,
    kind: r.kind,
    status: r.status,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    source: r.source,
    version: r.version,
    summary: r.summary,
    links: r.links,
    labels: r.labels,
    receivedAt: r.received_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** A stored change as the correlation engine takes it (epoch ms). */
export function toChange(r: ChangeRow): Change {
  return {
    id: r.id,
    entity: r.entity,
    kind: r.kind,
    status: r.status,
    startedAt: r.started_at.getTime(),
    finishedAt: r.finished_at?.getTime() ?? null,
    source: r.source,
    version: r.version,
    summary: r.summary,
    links: r.links,
    labels: r.labels,
  };
}
