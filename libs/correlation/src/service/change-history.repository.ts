import type { Change } from '@faultline/changes';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** A changes row as node-pg returns it (timestamptz as Date, jsonb parsed). */
interface ChangeHistoryRow {
  id: string;
  entity: string;
  kind: Change['kind'];
  status: Change['status'];
  started_at: Date;
  finished_at: Date | null;
  source: string | null;
  version: string | null;
  summary: string;
  links: Change['links'];
  labels: Change['labels'];
}

/** Reads stored changes back, to rebuild the engine after a restart (the engine's evidence besides reports). */
@Injectable()
export class ChangeHistoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every change that started at or after `from`, oldest first (a handful an hour: one read). */
  async since(from: number): Promise<Change[]> {
    const rows = await this.dataSource.query<ChangeHistoryRow[]>(
      `SELECT id, entity, kind, status, started_at, finished_at, source, version, summary, links, labels
       FROM changes WHERE started_at >= $1::timestamptz ORDER BY started_at, id`,
      [new Date(from).toISOString()],
    );
    return rows.map((r) => ({
      id: r.id,
      entity: r.entity,
      kind: r.kind,
      status: r.status,
      startedAt: r.started_at.getTime(),
      finishedAt: r.finished_at === null ? null : r.finished_at.getTime(),
      source: r.source,
      version: r.version,
      summary: r.summary,
      links: r.links,
      labels: r.labels,
    }));
  }
}
