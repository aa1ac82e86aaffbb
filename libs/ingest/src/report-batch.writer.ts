import { randomInt } from 'node:crypto';

import { type FaultlineConfig, InjectConfig } from '@faultline/platform';
import type { Report } from '@faultline/reports';
import { Injectable } from '@nestjs/common';

import type { BatchOutcome } from './batch-outcome';
import { IngestMetrics } from './ingest.metrics';
import { namedEntities, ReportBatchRepository, reportIdentity } from './report-batch.repository';
import { DAY_MS, dayOf } from './report-partitions';
import { SeenEntities } from './state/seen-entities';
import { instanceId } from './state/state.model';
import { type CachedState, StateCache } from './state/state-cache';
import { lateStarts, planStateChanges, type StatePlan } from './state/state-planner';
import { StorageMaintenance } from './storage-maintenance.service';

// A zone moved by another worker is written again within a minute.
const ENTITY_MEMORY_MS = 60_000;
const ENTITY_MEMORY_NAMES = 100_000;

/**
 * Persists one batch of validated reports in one transaction: raw reports, entities, current
 * state and transitions. Idempotent: a report already stored is skipped before it can touch
 * state, so a batch retried after a crash (before or after its commit) changes nothing twice.
 */
@Injectable()
export class ReportBatchWriter {
  private readonly cache: StateCache;
  private readonly seen = new SeenEntities(ENTITY_MEMORY_MS, ENTITY_MEMORY_NAMES);

  constructor(
    private readonly repository: ReportBatchRepository,
    private readonly maintenance: StorageMaintenance,
    private readonly metrics: IngestMetrics,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {
    this.cache = new StateCache(config.INGEST_STATE_CACHE_INSTANCES);
  }

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

    const version = newStateVersion();
    const stored = await this.repository.transaction(async (em) => {
      const claimed = await this.repository.claimClientIds(em, unique);
      const candidates = unique.filter((r) => r.id === null || claimed.has(r.id));
      const inserted = await this.repository.insertReports(em, candidates);
      const fresh = candidates.filter((r) =>
        inserted.has(reportIdentity(r.service, r.instance, r.observedAt)),
      );
      if (fresh.length === 0) return { fresh, late: 0, written: null };
      const entities = this.seen.unseen(namedEntities(fresh), now);
      await this.repository.upsertEntities(em, entities);
      const loaded = await this.repository.lockState(em, fresh, this.cache);
      // Reports older than their instance's newest (a client's late report, or two batches of one
      // instance processed out of order by concurrent workers) replay that instance's timeline.
      const replays = await this.repository.loadReplays(em, lateStarts(fresh, loaded), loaded);
      const plan = planStateChanges(fresh, loaded, replays);
      await this.repository.writeInstances(em, plan.instances, version, loaded);
      await this.repository.writeChecks(em, plan.checks);
      await this.repository.deleteTransitionsFrom(em, plan.replayed);
      await this.repository.insertTransitions(em, plan.transitions);
      return { fresh, late: plan.late, written: { loaded, plan, entities } };
    });
    // Remembered only once committed.
    if (stored.written) {
      this.remember(stored.written.loaded, stored.written.plan, version);
      this.seen.record(stored.written.entities);
    }
    stopTimer();
    const { fresh, late, written } = stored;
    const outcome: BatchOutcome = {
      stored: fresh.length,
      late,
      transitions: written?.plan.transitions.length ?? 0,
      duplicates: current.length - fresh.length,
      expired: batch.length - current.length,
    };
    this.metrics.recordBatch(outcome);
    return { outcome, fresh: fresh.sort((a, b) => a.observedAt - b.observedAt) };
  }

  /** After the commit: the state each instance of the batch now has, under its row's version. */
  private remember(loaded: Map<string, CachedState>, plan: StatePlan, version: number): void {
    for (const check of plan.checks)
      loaded.get(instanceId(check.service, check.instance))?.checks.set(check.name, check);
    for (const instance of plan.instances) {
      const entry = loaded.get(instanceId(instance.service, instance.name));
      if (!entry) continue;
      entry.instance = instance;
      entry.version = version;
    }
    for (const [id, entry] of loaded) this.cache.remember(id, entry);
  }
}

/**
 * A batch's stamp on the instance rows it writes: random, so two workers (or one before and
 * after a restart) never stamp the same version; 48 bits stay exact in a float8.
 */
const newStateVersion = (): number => randomInt(1, 2 ** 48);

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
