import { type FaultlineConfig, InjectConfig } from '@faultline/platform';
import type { Report } from '@faultline/reports';
import { Injectable } from '@nestjs/common';

import type { BatchOutcome } from './batch-outcome';
import { IngestMetrics } from './ingest.metrics';
import { ReportBatchRepository, reportIdentity } from './report-batch.repository';
import { DAY_MS, dayOf } from './report-partitions';
import { lateStarts, planStateChanges } from './state/state-planner';
import { StorageMaintenance } from './storage-maintenance.service';

/**
 * Persists one batch of validated reports in one transaction: raw reports, entities, current
 * state and transitions. Idempotent: a report already stored is skipped before it can touch
 * state, so a batch retried after a crash (before or after its commit) changes nothing twice.
 */
@Injectable()
export class ReportBatchWriter {
  constructor(
    private readonly repository: ReportBatchRepository,
    private readonly maintenance: StorageMaintenance,
    private readonly metrics: IngestMetrics,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {}

  /** Stores a batch; returns what it did and the reports that were new (in event-time order). */
  async write(
    batch: readonly Report[],
    now = Date.now(),
  ): Promise<{ outcome: BatchOutcome; fresh: Report[] }> {
    const stopTimer = this.metrics.batchSeconds.startTimer();
    // A report that waited in the queue past the retention window would land in a dropped partition.
    const oldestKept = dayOf(now - this.config.RETENTION_DAYS * DAY_MS);
    const current = batch.filter((r) => r.observedAt >= oldestKept);
    const unique = dedupe(current);
    await this.maintenance.ensurePartitionsFor(unique.map((r) => r.observedAt));

    const stored = await this.repository.transaction(async (em) => {
      const claimed = await this.repository.claimClientIds(em, unique);
      const candidates = unique.filter((r) => r.id === null || claimed.has(r.id));
      const inserted = await this.repository.insertReports(em, candidates);
      const fresh = candidates.filter((r) =>
        inserted.has(reportIdentity(r.service, r.instance, r.observedAt)),
      );
      if (fresh.length === 0) return { stored: 0, late: 0, transitions: 0, fresh };
      await this.repository.upsertEntities(em, fresh);
      const state = await this.repository.lockState(em, fresh);
      // Reports older than their instance's newest (a client's late report, or two batches of one
      // instance processed out of order by concurrent workers) replay that instance's timeline.
      const replays = await this.repository.loadReplays(
        em,
        lateStarts(fresh, state.instances),
        state.checks,
      );
      const plan = planStateChanges(fresh, state.instances, state.checks, replays);
      await this.repository.writeInstances(em, plan.instances);
      await this.repository.writeChecks(em, plan.checks);
      await this.repository.deleteTransitionsFrom(em, plan.replayed);
      await this.repository.insertTransitions(em, plan.transitions);
      return { stored: fresh.length, late: plan.late, transitions: plan.transitions.length, fresh };
    });
    stopTimer();
    const { fresh, ...counts } = stored;
    const outcome = {
      ...counts,
      duplicates: current.length - counts.stored,
      expired: batch.length - current.length,
    };
    this.metrics.recordBatch(outcome);
    return { outcome, fresh: fresh.sort((a, b) => a.observedAt - b.observedAt) };
  }
}

/** Keeps the first of reports sharing an identity within one batch. */
function dedupe(reports: readonly Report[]): Report[] {
  const seen = new Set<string>();
  const ids = new Set<string>();
  return reports.filter((r) => {
    const key = reportIdentity(r.service, r.instance, r.observedAt);
    if (seen.has(key) || (r.id !== null && ids.has(r.id))) return false;
    seen.add(key);
    if (r.id !== null) ids.add(r.id);
    return true;
  });
}
