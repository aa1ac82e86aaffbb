import {
  InvalidInputError,
  isRfc3339,
  NotFoundError,
  type Page,
  readCursor,
  readLimit,
  toPage,
} from '@faultline/platform';
import { Injectable } from '@nestjs/common';

import { CHANGE_KINDS, type ChangeKind, type ChangeView } from '../change.model';
import { changeEntityKey, InvalidEntityError } from '../change-entity';
import { ChangeRepository } from './change.repository';
import { toChangeView } from './change-views';

export interface ChangeListQuery {
  /** An entity key or a service name, normalised as on intake. */
  entity?: string;
  kind?: ChangeKind;
  /** RFC 3339: changes started at or after it. */
  since?: string;
  /** RFC 3339: changes started before it. */
  until?: string;
  limit?: number;
  cursor?: string;
}

/** How an entity in an impact view relates to the entity asked about. */
export type ChangeRelation = 'self' | 'dependency' | 'dependent';

export type RelatedChange = ChangeView & { relation: ChangeRelation };

/** The window an impact view lists changes in when it is given none: an hour back. */
export const IMPACT_CHANGES_WINDOW_MS = 60 * 60_000;
/** Changes an impact view lists at most, newest first. */
export const IMPACT_CHANGES_MAX = 100;

/** The changes API: the list, one change, and the changes around an entity. */
@Injectable()
export class ChangeQueryService {
  constructor(private readonly changes: ChangeRepository) {}

  /** Newest started first, paginated by (startedAt, id). */
  async list(query: ChangeListQuery): Promise<Page<ChangeView>> {
    const limit = readLimit(query.limit);
    const before = readCursor(query.cursor, ['time', 'text']) as [string, string] | null;
    if (query.kind !== undefined && !CHANGE_KINDS.includes(query.kind))
      throw invalid('/kind', `must be one of ${CHANGE_KINDS.join(', ')}`);
    for (const [name, value] of [
      ['since', query.since],
      ['until', query.until],
    ] as const)
      if (value !== undefined && !isRfc3339(value))
        throw invalid(`/${name}`, 'must be an RFC 3339 time');
    const rows = await this.changes.list({
      entity: query.entity === undefined ? null : entityKey(query.entity),
      kind: query.kind ?? null,
      since: query.since ?? null,
      until: query.until ?? null,
      before,
      take: limit + 1,
    });
    return toPage(rows, limit, (r) => [r.sort_at, r.id], toChangeView);
  }

  async get(id: string): Promise<ChangeView> {
    const row = id.includes('\u0000') ? null : await this.changes.find(id);
    if (!row) throw new NotFoundError(`no change ${JSON.stringify(id)}`);
    return toChangeView(row);
  }

  /**
   * The changes on an entity, on what it depends on and on what depends on it, that started or
   * finished since `since` (RFC 3339), by default an hour before the newest event time known
   * (or now, if earlier: time is event time, so a replayed day shows that day's changes);
   * newest first, at most IMPACT_CHANGES_MAX.
   */
  async around(
    entities: { key: string; dependencies: readonly string[]; dependents: readonly string[] },
    window: { since?: string; eventTime: string | null },
    now = Date.now(),
  ): Promise<RelatedChange[]> {
    if (window.since !== undefined && !isRfc3339(window.since))
      throw invalid('/since', 'must be an RFC 3339 time');
    const end = Math.min(now, window.eventTime ? Date.parse(window.eventTime) : now);
    const since =
      window.since !== undefined
        ? new Date(window.since)
        : new Date(end - IMPACT_CHANGES_WINDOW_MS);
    const relation = new Map<string, ChangeRelation>();
    for (const key of entities.dependents) relation.set(key, 'dependent');
    for (const key of entities.dependencies) relation.set(key, 'dependency');
    relation.set(entities.key, 'self');
    const rows = await this.changes.onEntities([...relation.keys()], since, IMPACT_CHANGES_MAX);
    return rows.map((r) => ({ ...toChangeView(r), relation: relation.get(r.entity) ?? 'self' }));
  }
}

function entityKey(raw: string): string {
  try {
    return changeEntityKey(raw);
  } catch (e) {
    if (e instanceof InvalidEntityError) throw invalid('/entity', e.message);
    throw e;
  }
}

const invalid = (path: string, reason: string) => new InvalidInputError([{ path, reason }]);
