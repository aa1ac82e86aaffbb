import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import { DAY_MS, partitionName } from './report-partitions';

// Serialises partition DDL across workers: two CREATE TABLE ... PARTITION OF for the same
// day at once would fail one of them.
const PARTITION_LOCK = 4_823_917_002;

/** The DDL that creates one day's partition; names and bounds come from numbers, never from input. */
export function createPartitionSql(day: number): string {
  const from = new Date(day).toISOString();
  const to = new Date(day + DAY_MS).toISOString();
  return `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF reports FOR VALUES FROM ('${from}') TO ('${to}')`;
}

/**
 * The report store's upkeep in Postgres: the daily partitions of `reports` (created and dropped
 * under one advisory lock, so concurrent workers never race on the DDL), and the expiry of the
 * client-id index and of old check transitions.
 */
@Injectable()
export class ReportStorageRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates the partitions of these days (those that exist are left alone), in the order given. */
  async createPartitions(days: readonly number[]): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      for (const day of days) await em.query(createPartitionSql(day));
    });
  }

  /** The names of the tables attached to `reports` as partitions. */
  async partitionNames(): Promise<string[]> {
    const rows = await this.dataSource.query<{ name: string }[]>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'reports'`,
    );
    return rows.map((r) => r.name);
  }

  /** Drops one day's partition whole, with its reports. */
  async dropPartition(day: number): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      await em.query(`DROP TABLE IF EXISTS ${partitionName(day)}`);
    });
  }

  /** Forgets client-supplied report ids of reports observed before `before`. */
  async deleteClientIdsBefore(before: Date): Promise<void> {
    await this.dataSource.query('DELETE FROM report_ids WHERE observed_at < $1', [
      before.toISOString(),
    ]);
  }

  /** Deletes check transitions observed before `before`. */
  async deleteTransitionsBefore(before: Date): Promise<void> {
    await this.dataSource.query('DELETE FROM check_transitions WHERE observed_at < $1', [
      before.toISOString(),
    ]);
  }
}
