import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface Alias {
  targetKey: string;
  servedBy: string;
}

/** Stored aliases: what serves a check target when its host name does not say. */
@Injectable()
export class AliasRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(): Promise<Alias[]> {
    const rows: { target_key: string; served_by: string }[] = await this.dataSource.query(
      'SELECT target_key, served_by FROM aliases ORDER BY target_key',
    );
    return rows.map((r) => ({ targetKey: r.target_key, servedBy: r.served_by }));
  }

  /** Sets (or replaces) the aliases of these targets. */
  async upsert(aliases: readonly Alias[]): Promise<void> {
    if (aliases.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO aliases (target_key, served_by) SELECT t, s FROM json_to_recordset($1::json) AS x(t text, s text)
       ON CONFLICT (target_key) DO UPDATE SET served_by = EXCLUDED.served_by`,
      [JSON.stringify(aliases.map((a) => ({ t: a.targetKey, s: a.servedBy })))],
    );
  }
}
