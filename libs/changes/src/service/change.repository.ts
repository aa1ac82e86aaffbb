import { cursorTimeSql } from '@faultline/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { Change, ChangeKind, ChangeLink, ChangeStatus } from '../change.model';

/** A stored change as Postgres returns it. */
export interface ChangeRow {
  id: string;
  entity: string;
  kind: ChangeKind;
  status: ChangeStatus;
  started_at: Date;
  finished_at: Date | null;
  source: string | null;
  version: string | null;
  summary: string;
  links: ChangeLink[];
  labels: Record<string, string>;
  received_at: Date;
  updated_at: Date;
  /** started_at as exact UTC text with microseconds, for the cursor. */
  sort_at: string;
}

export interface ChangeFilter {
  entity: string | null;
  kind: ChangeKind | null;
  /** started at or after (RFC 3339). */
  since: string | null;
  /** started before (RFC 3339). */
  until: string | null;
  /** (started_at exact text, id) of the last change of the previous page. */
  before: [string, string] | null;
  take: number;
}

/** An id already stored for a change on another entity or of another kind. */
export interface TakenId {
  id: string;
  entity: string;
  kind: ChangeKind;
}

const COLUMNS = `id, entity, kind, status, started_at, finished_at, source, version, summary, links,
  labels, received_at, updated_at, ${cursorTimeSql('started_at')} AS sort_at`;

/** Thrown inside the upsert's transaction to roll it back when an id is taken. */
class IdsTaken extends Error {
  constructor(readonly taken: TakenId[]) {
    super('change ids taken');
  }
}

/**
 * The changes table. Lists walk changes_started_idx newest first (or changes_entity_started_idx
 * for one entity); few rows (changes are a handful an hour per service), so no partitions.
 */
@Injectable()
export class ChangeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inserts new changes and updates known ones, in one statement (one transaction), by the rule
   * of mergeChange (@faultline/changes): a `started` never replaces an ending status, startedAt
   * keeps the earliest, absent finishedAt/source/version/links/labels keep what is stored.
   * An id stored for another entity or kind is never touched: then nothing of the call is
   * written and the taken ids are returned instead (a token bound to one service must not
   * rewrite another's change by guessing its id).
   */
  async upsert(
    changes: readonly Change[],
  ): Promise<{ stored: ChangeRow[]; taken: [] } | { stored: []; taken: TakenId[] }> {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    try {
      const stored = await this.dataSource.transaction(async (manager) => {
        const rows = await manager.query<ChangeRow[]>(
          `INSERT INTO changes AS c (id, entity, kind, status, started_at, finished_at, source, version, summary, links, labels)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
             $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::jsonb[])
           ON CONFLICT (id) DO UPDATE SET
             status = CASE WHEN EXCLUDED.status = 'started' AND c.status IN ('succeeded', 'failed', 'rolled-back')
               THEN c.status ELSE EXCLUDED.status END,
             started_at = LEAST(c.started_at, EXCLUDED.started_at),
             finished_at = COALESCE(EXCLUDED.finished_at, c.finished_at),
             source = COALESCE(EXCLUDED.source, c.source),
             version = COALESCE(EXCLUDED.version, c.version),
             summary = EXCLUDED.summary,
             links = CASE WHEN EXCLUDED.links = '[]'::jsonb THEN c.links ELSE EXCLUDED.links END,
             labels = CASE WHEN EXCLUDED.labels = '{}'::jsonb THEN c.labels ELSE EXCLUDED.labels END,
             updated_at = now()
           WHERE c.entity = EXCLUDED.entity AND c.kind = EXCLUDED.kind
           RETURNING ${COLUMNS}`,
          [
            changes.map((c) => c.id),
            changes.map((c) => c.entity),
            changes.map((c) => c.kind),
            changes.map((c) => c.status),
            changes.map((c) => iso(c.startedAt)),
            changes.map((c) => iso(c.finishedAt)),
            changes.map((c) => c.source),
            changes.map((c) => c.version),
            changes.map((c) => c.summary),
            changes.map((c) => JSON.stringify(c.links)),
            changes.map((c) => JSON.stringify(c.labels)),
          ],
        );
        if (rows.length === changes.length) return rows;
        const returned = new Set(rows.map((r) => r.id));
        throw new IdsTaken(
          await manager.query<TakenId[]>(
            'SELECT id, entity, kind FROM changes WHERE id = ANY($1::text[])',
            [changes.map((c) => c.id).filter((id) => !returned.has(id))],
          ),
        );
      });
      return { stored, taken: [] };
    } catch (e) {
      if (e instanceof IdsTaken) return { stored: [], taken: e.taken };
      throw e;
    }
  }

  /** Newest started first; ties broken by id, descending. */
  list(f: ChangeFilter): Promise<ChangeRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM changes
       WHERE ($1::text IS NULL OR entity = $1)
         AND ($2::text IS NULL OR kind = $2)
         AND ($3::timestamptz IS NULL OR started_at >= $3)
         AND ($4::timestamptz IS NULL OR started_at < $4)
         AND ($5::timestamptz IS NULL OR (started_at, id) < ($5::timestamptz, $6::text))
       ORDER BY started_at DESC, id DESC
       LIMIT $7`,
      [f.entity, f.kind, f.since, f.until, f.before?.[0] ?? null, f.before?.[1] ?? null, f.take],
    );
  }

  async find(id: string): Promise<ChangeRow | null> {
    const rows = await this.dataSource.query<ChangeRow[]>(
      `SELECT ${COLUMNS} FROM changes WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** The changes on any of `entities` that started, or finished, at or after `since`; newest first. */
  onEntities(entities: readonly string[], since: Date, take: number): Promise<ChangeRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM changes
       WHERE entity = ANY($1::text[]) AND (started_at >= $2 OR finished_at >= $2)
       ORDER BY started_at DESC, id DESC
       LIMIT $3`,
      [entities, since.toISOString(), take],
    );
  }

  /** Deletes the changes that started and finished before `cutoff`; returns how many. */
  async deleteEndedBefore(cutoff: Date): Promise<number> {
    const rows = await this.dataSource.query<{ n: string }[]>(
      `WITH gone AS (
         DELETE FROM changes WHERE started_at < $1 AND (finished_at IS NULL OR finished_at < $1) RETURNING 1
       ) SELECT count(*) AS n FROM gone`,
      [cutoff.toISOString()],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
