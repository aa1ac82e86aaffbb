import { entityKind } from '@faultline/reports';
import { type Impact, TopologyGraph, type TopologyJson } from '@faultline/topology';

import { rankCauses } from './cause-ranker';
import { ChangeEvidence } from './change-evidence';
import { ChangeLog } from './change-log';
import type { CorrelationReport } from './correlation-report';
import {
  type CorrelationOptions,
  type EngineEvent,
  type Incident,
  type IncidentChange,
  resolveOptions,
} from './engine.model';
import { EngineState } from './engine-state';
import { EvidenceReader } from './evidence-reader';
import { IncidentBook } from './incident-book';
import type { CheckRec, InstanceRec } from './records';
import { type Resolution, RootResolver } from './root-resolver';
import { reportsToSignificance, significance } from './significance';
import { SilenceClock } from './silence-clock';
import { addToCluster, type Cluster, collectSymptoms, type Symptom } from './symptoms';

/**
 * The correlation engine: events in, incident changes out, in event time.
 *
 * Contract: feed events in arrival order. A report updates the state and the graph (no output);
 * an alias declares what serves a target; a tick moves the event-time watermark to `at`, turns
 * missed reports into silence and staleness, explains every current symptom (RootResolver),
 * groups symptoms by root and reconciles those groups with the open incidents (IncidentBook).
 * Warnings are symptoms where most of a backend's dependents warn (a 'warning' incident); an
 * incident whose symptoms clear waits out options.quietPeriodMs before it resolves (longer once it
 * flaps, to bridge its up periods), and one that resolved is reopened by its cause failing again
 * within options.reopenWindowMs, so a cause that comes and goes is one incident with a cycle count.
 * A change is evidence, never a symptom: it is kept (by entity, updated in place by id) while an
 * incident could still use it, and read into the ranking of the incidents whose symptoms began
 * within options.changeWindowMs after it (ChangeEvidence); later changes on what an open incident
 * watches go on its timeline.
 * Feed a tick at least once per second of event time; a tick older than the watermark is ignored.
 * Same events in, same changes out: no wall clock, no randomness, deterministic iteration.
 * Cost: a report O(checks); a tick O(S + due deadlines) for S current symptoms (failing checks,
 * stale and self-down instances), whatever the size of the fleet.
 * Memory: O(instances + checks + backends) plus the graph; resolved incidents are kept only for
 * options.reopenWindowMs.
 */
export class CorrelationEngine {
  readonly options: CorrelationOptions;
  private readonly state: EngineState;
  private readonly topology = new TopologyGraph();
  private readonly clock: SilenceClock;
  private readonly incidents: IncidentBook;
  private readonly changes = new ChangeLog();
  private held: ReadonlySet<string> = new Set();
  private mark = -Infinity;
  private readonly weightCap: number;

  constructor(options: Partial<CorrelationOptions> = {}) {
    this.options = resolveOptions(options);
    this.state = new EngineState(this.options.windowSize, this.options.initialIntervalMs);
    this.clock = new SilenceClock(this.options.overdueFactor, this.options.staleIntervals);
    this.incidents = new IncidentBook(
      (c) => this.significant(c),
      this.options.quietPeriodMs,
      this.options.reopenWindowMs,
      new ChangeEvidence(
        this.changes,
        this.state,
        this.topology,
        this.options.changeWindowMs,
        this.options.maxRootCauses,
        this.options.majority,
      ),
    );
    this.weightCap = reportsToSignificance(this.options.significance, this.options.flapRate);
  }

  apply(event: EngineEvent): IncidentChange[] {
    switch (event.kind) {
      case 'report':
        this.ingest(event.report);
        return [];
      case 'alias':
        this.topology.setAlias(event.targetKey, event.servedBy);
        return [];
      case 'change':
        this.changes.record(event.change);
        return [];
      case 'tick':
        return this.tick(event.at);
    }
  }

  applyAll(events: Iterable<EngineEvent>): IncidentChange[] {
    const out: IncidentChange[] = [];
    for (const e of events) for (const c of this.apply(e)) out.push(c);
    return out;
  }

  /** The event-time watermark: the latest tick applied. */
  get watermark(): number {
    return this.mark;
  }

  /**
   * Event time at which the next instance becomes overdue or stale; Infinity when no instance is
   * watched for silence. A clock moved by wall time while no report arrives stays before it.
   */
  nextSilenceDeadline(): number {
    return this.clock.nextAt();
  }

  openIncidents(): Incident[] {
    return this.incidents.snapshots();
  }

  exportGraph(): TopologyJson {
    return this.topology.export();
  }

  exportGraphAround(key: string, depth: number): TopologyJson {
    return this.topology.exportAround(key, depth);
  }

  impact(key: string): Impact {
    return this.topology.impact(key);
  }

  stats(): {
    instances: number;
    backends: number;
    symptoms: number;
    openIncidents: number;
    pendingDeadlines: number;
    changes: number;
  } {
    const s = this.state;
    return {
      instances: s.instances.size,
      backends: s.backends.size,
      symptoms: s.failingChecks.size + s.staleInstances.size + s.selfDownInstances.size,
      openIncidents: this.incidents.openCount,
      pendingDeadlines: this.clock.pending,
      changes: this.changes.size,
    };
  }

  private ingest(report: CorrelationReport): void {
    const inst = this.state.apply(report);
    if (!inst) return;
    this.topology.observe(report);
    // Only what reports periodically can miss a report: an alert, a one-off push never falls silent.
    if (inst.watched) this.clock.schedule(inst, this.state.intervalOf(inst));
  }

  /**
   * Whether a cluster is unlikely to be a coincidence of flaps (see significance.ts). A single
   * instance's own trouble must also persist: one of its symptoms must carry the full weight (a
   * check failing weightCap reports in a row, or staleness). Several of its checks failing once
   * together is a blip, and across a fleet of thousands such blips happen every hour.
   */
  private significant(c: Cluster): boolean {
    if (entityKind(c.key) === 'instance') return c.symptoms.some((s) => s.weight >= this.weightCap);
    return (
      significance(c.weight, c.opportunities, c.symptoms.length, this.options.flapRate) >=
      this.options.significance
    );
  }

  /** Where a symptom's explanation ends; null for a warning about a backend that is not degraded. */
  private resolve(resolver: RootResolver, s: Symptom): Resolution | null {
    const check = s.check as CheckRec;
    switch (s.kind) {
      case 'check':
        // A failure no longer reported stands only while its backend is still down.
        if (!check.known && !resolver.backendDown(check.targetKey as string)) return null;
        return resolver.forCheck(check);
      case 'warn':
        return resolver.forWarn(check);
      case 'stale':
        return resolver.forStale(s.inst);
      case 'self':
        return resolver.forSelf(s.inst);
    }
  }

  /**
   * The open incident an instance's silence belongs to: one explaining failures it reported
   * before it fell silent, when nothing beyond the instance (its host, zone, the intake) explains
   * the silence. The incident then keeps those failures and says it lost sight of the instance;
   * a new "stopped reporting" incident would be the same outage paged twice.
   */
  private lostSightOf(
    inst: InstanceRec,
    r: Resolution,
    resolver: RootResolver,
  ): string | undefined {
    if (r.key !== inst.key && r.key !== resolver.identity(inst) && r.key !== inst.serviceKey)
      return undefined;
    for (const c of inst.checks.values()) {
      if (c.known || c.status !== 'fail') continue;
      const id = this.incidents.incidentOf(c.id);
      if (id !== undefined) return id;
    }
    return undefined;
  }

  /**
   * Drops the changes no incident can use any more: older than the window plus the quiet period
   * behind the watermark (an incident opening now began at most that long ago, give or take), and
   * older than the window before the first evidence of any incident still open or reopenable.
   */
  private forgetOldChanges(at: number): void {
    if (this.changes.size === 0) return;
    const { changeWindowMs, quietPeriodMs } = this.options;
    this.changes.forgetBefore(
      Math.min(
        at - changeWindowMs - quietPeriodMs,
        this.incidents.earliestEvidenceAt() - changeWindowMs,
      ),
    );
  }

  private tick(at: number): IncidentChange[] {
    if (at < this.mark) return [];
    this.mark = at;
    for (const t of this.clock.advance(at, (inst) => this.state.intervalOf(inst))) {
      if (t.stage === 'overdue') this.state.setSilent(t.inst, true, t.at);
      else this.state.markStale(t.inst, t.at);
    }
    const resolver = new RootResolver(this.state, this.topology, this.options, at, this.held);
    const clusters = new Map<string, Cluster>();
    const kept = new Map<string, Symptom[]>();
    for (const s of collectSymptoms(this.state, this.weightCap)) {
      const r = this.resolve(resolver, s);
      if (r === null) continue;
      const lostSightOf = s.kind === 'stale' ? this.lostSightOf(s.inst, r, resolver) : undefined;
      if (r.settled && lostSightOf === undefined) {
        addToCluster(clusters, s, r);
        continue;
      }
      const id = lostSightOf ?? this.incidents.incidentOf(s.id);
      if (id === undefined) continue;
      const list = kept.get(id);
      if (list) list.push(s);
      else kept.set(id, [s]);
    }
    const evidence = new EvidenceReader(this.state, this.topology);
    const changes = this.incidents.reconcile(clusters.values(), kept, at, (primary, others) =>
      rankCauses(primary, others, evidence, this.options.maxRootCauses),
    );
    this.held = this.incidents.heldKeys();
    this.forgetOldChanges(at);
    return changes;
  }
}
