import type { ChangeKind, ChangeStatus } from '@faultline/changes';

import type { ChangeRefView } from './incident.model';

/**
 * A change as an incident names it (a root cause's `change` and `changes`, a timeline entry's
 * `change`), read back from the incidents table's jsonb into the API view.
 *
 * Contract: pure. The engine keeps times as epoch ms and the row may hold `startedAt` as either
 * ms or an RFC 3339 string; the view always says RFC 3339 (UTC, milliseconds). Fields are written
 * in one fixed order. A stored value that is not a change (no id, or a time that does not parse)
 * reads as undefined rather than failing the whole incident: the incident is the answer, the
 * change one piece of its evidence.
 */
export function toChangeRefView(stored: unknown): ChangeRefView | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const c = stored as Record<string, unknown>;
  const startedAt = toIso(c.startedAt);
  if (typeof c.id !== 'string' || startedAt === null) return undefined;
  return {
    id: c.id,
    entity: text(c.entity) ?? '',
    kind: (text(c.kind) ?? 'other') as ChangeKind,
    status: (text(c.status) ?? 'started') as ChangeStatus,
    startedAt,
    version: text(c.version),
    source: text(c.source),
    summary: text(c.summary) ?? '',
  };
}

/** A stored list of changes (most recent first, as the engine ranks them); not a list reads as undefined. */
export function toChangeRefViews(stored: unknown): ChangeRefView[] | undefined {
  if (!Array.isArray(stored)) return undefined;
  return stored.map(toChangeRefView).filter((c): c is ChangeRefView => c !== undefined);
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function toIso(value: unknown): string | null {
  const ms =
    typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : null;
}
