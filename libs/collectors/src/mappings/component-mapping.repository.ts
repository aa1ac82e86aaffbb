import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface ComponentMappingRow {
  name: string;
  target: string;
  created_at: Date;
  updated_at: Date;
}

/** The component_mappings table: the fleet-wide component name → target. */
@Injectable()
export class ComponentMappingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts or replaces a mapping; returns it and whether it was new. */
  async upsert(
    name: string,
    target: string,
  ): Promise<{ row: ComponentMappingRow; created: boolean }> {
    const rows = await this.dataSource.query<(ComponentMappingRow & { created: boolean })[]>(
      `INSERT INTO component_mappings (name, target) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET target = EXCLUDED.target, updated_at = now()
       RETURNING *, (xmax = 0) AS created`,
      [name, target],
    );
    const { created, ...row } = rows[0];
    return { row, created };
  }

  async get(name: string): Promise<ComponentMappingRow | null> {
    const rows = await this.dataSource.query<ComponentMappingRow[]>(
      'SELECT * FROM component_mappings WHERE name = $1',
      [name],
    );
    return rows[0] ?? null;
  }

  /** Mappings in name order, after `afterName` (keyset pagination). */
  list(limit: number, afterName: string | null): Promise<ComponentMappingRow[]> {
    return this.dataSource.query<ComponentMappingRow[]>(
      `SELECT * FROM component_mappings WHERE ($1::text IS NULL OR name > $1) ORDER BY name LIMIT $2`,
      [afterName, limit],
    );
  }

  /** Every name and target, for applying them (one small table, read every few seconds). */
  async all(): Promise<Record<string, string>> {
    const rows = await this.dataSource.query<{ name: string; target: string }[]>(
      'SELECT name, target FROM component_mappings',
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.target]));
  }

  /** Whether there was a mapping `name` to delete. */
  async delete(name: string): Promise<boolean> {
    // Read back through a SELECT: TypeORM answers a bare DELETE with [rows, count], always 2 long.
    const rows = await this.dataSource.query<{ name: string }[]>(
      'WITH gone AS (DELETE FROM component_mappings WHERE name = $1 RETURNING name) SELECT name FROM gone',
      [name],
    );
    return rows.length > 0;
  }
}
