import type { Change } from '@faultline/changes';
import { type FaultlineConfig, InFlightRegistry, InjectConfig } from '@faultline/platform';
import { Injectable, Logger } from '@nestjs/common';

import { CorrelationEngine } from '../engine/correlation-engine';
import type { CorrelationReport } from '../engine/correlation-report';
import type { Incident, IncidentChange } from '../engine/engine.model';
import { type Alias, AliasRepository } from './alias.repository';
import { ChangeHistoryRepository } from './change-history.repository';
import { EventTimeFeed } from './event-time-feed';
import { IncidentStore } from './incident.store';
import { ReportHistoryRepository } from './report-history.repository';

// How much history a rebuilt engine replays at least: enough for every learned interval and
// the onset windows of the backends (8 reports at a 10 s interval is under 2 minutes).
const REBUILD_WINDOW_MS = 5 * 60_000;

/**
 * The thin service around the pure engine: one engine per process, fed the reports the
 * ingest worker stored, its incident changes persisted. Only the elected leader calls it
 * (see CorrelationLeadership), so one engine owns the graph at a time.
 */
@Injectable()
export class CorrelationService {
  private readonly logger = new Logger(CorrelationService.name);
  private engine: CorrelationEngine;
  private feed: EventTimeFeed;

  constructor(
    private readonly store: IncidentStore,
    private readonly history: ReportHistoryRepository,
    private readonly aliases: AliasRepository,
    private readonly changeHistory: ChangeHistoryRepository,
    private readonly inFlight: InFlightRegistry,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {
    this.engine = this.newEngine();
    this.feed = this.feedFor(this.engine);
  }

  /**
   * Feeds aliases, changes and reports (already stored; reports behind the low watermark), and
   * persists what changes. Changes go in first: evidence, not symptoms, they are read at the next
   * tick, and the reports of the same job must find them there. `inFlight` is the batch's
   * registration, released now that the reports are here. Returns the ids of the incidents that
   * changed.
   */
  async process(
    reports: readonly CorrelationReport[],
    aliases: readonly Alias[] = [],
    inFlight?: string,
    changes: readonly Change[] = [],
  ): Promise<string[]> {
    for (const a of aliases)
      this.engine.apply({ kind: 'alias', targetKey: a.targetKey, servedBy: a.servedBy });
    for (const change of changes) this.engine.apply({ kind: 'change', change });
    // Offered before the hold is released, so no clock move in between can pass them.
    const early = this.feed.offer(reports);
    const oldest =
      inFlight === undefined
        ? await this.inFlight.oldest()
        : await this.inFlight.releaseThenOldest(inFlight);
    return this.persist([...early, ...this.feed.release(oldest, Date.now())]);
  }

  /**
   * Moves the clock as far as the low watermark allows now, with no new report: the arrival
   * grace of the last reports runs out, batches in flight land. The leader calls it every
   * CORRELATION_CLOCK_MS. Returns the ids of the incidents that changed.
   */
  async advance(): Promise<string[]> {
    return this.persist(this.feed.release(await this.inFlight.oldest(), Date.now()));
  }

  private newEngine(): CorrelationEngine {
    return new CorrelationEngine({
      quietPeriodMs: this.config.CORRELATION_QUIET_PERIOD_MS,
      changeWindowMs: this.config.CORRELATION_CHANGE_WINDOW_MS,
    });
  }

  private async persist(changes: IncidentChange[]): Promise<string[]> {
    await this.store.apply(changes);
    return [...new Set(changes.map((c) => c.incident.id))];
  }

  /**
   * Starts a fresh engine from what Postgres holds: stored reports from the rebuild window, or
   * from earlier when an open incident began before it, so the replay reopens it under the same
   * id (ids derive from root and opening time). The stored changes that could bear on it (from
   * the change window before the replay's start on) go in first. An open incident the replay does
   * not reopen is no longer supported by the evidence and is resolved, saying so.
   */
  async rebuild(): Promise<void> {
    this.engine = this.newEngine();
    this.feed = this.feedFor(this.engine);
    for (const a of await this.aliases.list())
      this.engine.apply({ kind: 'alias', targetKey: a.targetKey, servedBy: a.servedBy });
    const newest = await this.history.newestObservedAt();
    const open = await this.store.loadOpen();
    if (newest === null) return;
    const from = Math.min(
      newest - REBUILD_WINDOW_MS,
      ...open.map((i: Incident) => i.firstEvidenceAt - REBUILD_WINDOW_MS),
    );
    for (const change of await this.changeHistory.since(
      from - this.config.CORRELATION_CHANGE_WINDOW_MS,
    ))
      this.engine.apply({ kind: 'change', change });
    const changes: IncidentChange[] = [];
    let replayed = 0;
    // Held back like live reports: batches still in flight (a Postgres outage's backlog) are
    // not in the history yet, and the replay must not call their instances silent.
    const oldestInFlight = await this.inFlight.oldest();
    for await (const page of this.history.since(from)) {
      changes.push(...this.feed.offer(page), ...this.feed.release(oldestInFlight));
      replayed += page.length;
    }
    const reopened = new Set(this.engine.openIncidents().map((i) => i.id));
    const replayedIds = new Set(changes.map((c) => c.incident.id));
    const at = this.engine.watermark;
    for (const incident of open) {
      if (reopened.has(incident.id) || replayedIds.has(incident.id)) continue;
      changes.push({
        type: 'resolved',
        at,
        incident: {
          ...incident,
          status: 'resolved',
          resolvedAt: at,
          timeline: [
            ...incident.timeline,
            {
              at,
              what: 'resolved when the correlator restarted: the stored evidence no longer shows it',
            },
          ],
        },
      });
    }
    await this.store.apply(changes);
    this.logger.log(
      `engine rebuilt from ${replayed} stored reports; ${reopened.size} incidents open`,
    );
  }

  private feedFor(engine: CorrelationEngine): EventTimeFeed {
    return new EventTimeFeed(engine, {
      allowedLatenessMs: this.config.CORRELATION_ALLOWED_LATENESS_MS,
      arrivalGraceMs: this.config.CORRELATION_ARRIVAL_GRACE_MS,
    });
  }
}
