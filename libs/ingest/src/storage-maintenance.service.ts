import { InjectConfig, type FaultlineConfig } from '@faultline/platform';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  createPartitionSql,
  DAY_MS,
  dayOf,
  daysBetween,
  partitionDay,
  partitionName,
} from './report-partitions';

// Serialises partition DDL across workers: two CREATE TABLE ... PARTITION OF for the same
// day at once would fail one of them.
const PARTITION_LOCK = 4_823_917_002;

/**
 * Keeps the partitioned report store in shape: a partition exists for every day a report
 * may carry (the retention window up to tomorrow), and partitions older than the
 * retention window are dropped whole. Also expires the client-id index and old transitions.
 */
@Injectable()
export class StorageMaintenance {
  private readonly logger = new Logger(StorageMaintenance.name);
  private readonly knownDays = new Set<number>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {}

  /** Creates the partitions for these event times if this process has not seen them yet. */
  async ensurePartitionsFor(observedTimes: Iterable<number>): Promise<void> {
    const missing = new Set<number>();
    for (const t of observedTimes) {
      const day = dayOf(t);
      if (!this.knownDays.has(day)) missing.add(day);
    }
    if (missing.size === 0) return;
    await this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      for (const day of [...missing].sort()) await em.query(createPartitionSql(day));
    });
    for (const day of missing) this.knownDays.add(day);
  }

  /** The scheduled pass: partitions for the whole window, then the drops and purges. */
  async maintain(now = Date.now()): Promise<{ created: number; dropped: string[] }> {
    const retentionMs = this.config.RETENTION_DAYS * DAY_MS;
    const window = daysBetween(now - retentionMs, now + DAY_MS);
    await this.ensurePartitionsFor(window);
    const oldestKept = dayOf(now - retentionMs);
    const dropped: string[] = [];
    const partitions: { name: string }[] = await this.dataSource.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'reports'`,
    );
    for (const { name } of partitions) {
      const day = partitionDay(name);
      if (day === null || day >= oldestKept) continue;
      await this.dataSource.transaction(async (em) => {
        await em.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
        await em.query(`DROP TABLE IF EXISTS ${partitionName(day)}`);
      });
      this.knownDays.delete(day);
      dropped.push(name);
    }
    await this.dataSource.query('DELETE FROM report_ids WHERE observed_at < $1', [
      new Date(now - retentionMs).toISOString(),
    ]);
    await this.dataSource.query('DELETE FROM check_transitions WHERE observed_at < $1', [
      new Date(now - this.config.TRANSITION_RETENTION_DAYS * DAY_MS).toISOString(),
    ]);
    if (dropped.length) this.logger.log(`dropped expired report partitions: ${dropped.join(', ')}`);
    return { created: window.length, dropped };
  }
}
