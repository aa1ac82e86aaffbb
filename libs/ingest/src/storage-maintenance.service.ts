import { type FaultlineConfig, InjectConfig } from '@faultline/platform';
import { Injectable, Logger } from '@nestjs/common';

import { DAY_MS, dayOf, daysBetween, partitionDay } from './report-partitions';
import { ReportStorageRepository } from './report-storage.repository';

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
    private readonly storage: ReportStorageRepository,
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
    await this.storage.createPartitions([...missing].sort((a, b) => a - b));
    for (const day of missing) this.knownDays.add(day);
  }

  /** The scheduled pass: partitions for the whole window, then the drops and purges. */
  async maintain(now = Date.now()): Promise<{ created: number; dropped: string[] }> {
    const retentionMs = this.config.RETENTION_DAYS * DAY_MS;
    const window = daysBetween(now - retentionMs, now + DAY_MS);
    await this.ensurePartitionsFor(window);
    const oldestKept = dayOf(now - retentionMs);
    const dropped: string[] = [];
    for (const name of await this.storage.partitionNames()) {
      const day = partitionDay(name);
      if (day === null || day >= oldestKept) continue;
      await this.storage.dropPartition(day);
      this.knownDays.delete(day);
      dropped.push(name);
    }
    await this.storage.deleteClientIdsBefore(new Date(now - retentionMs));
    await this.storage.deleteTransitionsBefore(
      new Date(now - this.config.TRANSITION_RETENTION_DAYS * DAY_MS),
    );
    if (dropped.length) this.logger.log(`dropped expired report partitions: ${dropped.join(', ')}`);
    return { created: window.length, dropped };
  }
}
