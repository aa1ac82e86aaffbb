import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { SourceIdentity } from '../targets/poll-target.model';

/** A stored push source, as Postgres returns it (its secret still sealed). */
export interface PushSourceRow {
  id: string;
  secret_sealed: string | null;
  service: string | null;
  instance: string | null;
  host: string | null;
  labels: Record<string, string>;
  mapping: Record<string, string>;
  label_mapping: SourceIdentity['labelMapping'] | null;
  created_at: Date;
  updated_at: Date;
}

/** What a push source is stored with: validated, its secret already sealed. */
export interface PushSourceFields extends Partial<SourceIdentity> {
  secretSealed: string | null;
}

/** The push_sources table. */
@Injectable()
export class PushSourceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts or replaces a source; returns it and whether it was new. */
  async upsert(
    id: string,
    fields: PushSourceFields,
  ): Promise<{ row: PushSourceRow; created: boolean }> {
    const rows = await this.dataSource.query<(PushSourceRow & { created: boolean })[]>(
      `INSERT INTO push_sources (id, secret_sealed, service, instance, host, labels, mapping, label_mapping)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed, service = EXCLUDED.service, instance = EXCLUDED.instance, host = EXCLUDED.host,
         labels = EXCLUDED.labels, mapping = EXCLUDED.mapping, label_mapping = EXCLUDED.label_mapping, updated_at = now()
       RETURNING *, (xmax = 0) AS created`,
      [
        id,
        fields.secretSealed,
        fields.service ?? null,
        fields.instance ?? null,
        fields.host ?? null,
        JSON.stringify(fields.labels ?? {}),
        JSON.stringify(fields.mapping ?? {}),
        fields.labelMapping ? JSON.stringify(fields.labelMapping) : null,
      ],
    );
    const { created, ...row } = rows[0];
    return { row, created };
  }

  async get(id: string): Promise<PushSourceRow | null> {
    const rows = await this.dataSource.query<PushSourceRow[]>(
      'SELECT * FROM push_sources WHERE id = $1',
      [id],
    );
    return rows[0] ?? null;
  }

  /** Every service named by a source that signs its requests, with the source's id. */
  signedServices(): Promise<{ id: string; service: string }[]> {
    return this.dataSource.query<{ id: string; service: string }[]>(
      'SELECT id, service FROM push_sources WHERE secret_sealed IS NOT NULL AND service IS NOT NULL',
    );
  }

  /** The first thousand, by id. */
  list(): Promise<PushSourceRow[]> {
    return this.dataSource.query<PushSourceRow[]>(
      'SELECT * FROM push_sources ORDER BY id LIMIT 1000',
    );
  }

  /** Whether there was a source `id` to delete. */
  async delete(id: string): Promise<boolean> {
    // Read back through a SELECT: TypeORM answers a bare DELETE with [rows, count], always 2 long.
    const rows = await this.dataSource.query<{ id: string }[]>(
      'WITH gone AS (DELETE FROM push_sources WHERE id = $1 RETURNING id) SELECT id FROM gone',
      [id],
    );
    return rows.length > 0;
  }
}
