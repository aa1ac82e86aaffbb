import {
  hostKey,
  instanceKey,
  scopedComponentName,
  serviceKey,
  worstStatus,
  zoneKey,
} from '@faultline/reports';

import type { CorrelationReport } from './correlation-report';
import { learnInterval } from './interval';
import type { BackendRec, CheckRec, HostRec, InstanceRec, ServiceRec, ZoneRec } from './records';

const SCOPED_PREFIX = 'backend:component://';

/**
 * The engine's picture of the world, kept current incrementally so that ranking never scans it:
 * per backend the live and failing checks and a ring of recent outcomes; per host, zone and
 * service the count of silent instances, and the fleet's; and the symptom sets ranking walks
 * (failing and warning checks with a target, stale instances, instances down for their own reasons).
 *
 * Applying a report costs O(c) for its c checks. Reports at or before the instance's watermark
 * (duplicates, replays, older arrivals) change nothing, so replaying a day is harmless.
 */
export class EngineState {
  readonly instances = new Map<string, InstanceRec>();
  readonly backends = new Map<string, BackendRec>();
  readonly hosts = new Map<string, HostRec>();
  readonly zones = new Map<string, ZoneRec>();
  readonly services = new Map<string, ServiceRec>();
  readonly failingChecks = new Set<CheckRec>();
  /** Targeted checks reporting warn: symptoms only where most of a backend's dependents warn. */
  readonly warningChecks = new Set<CheckRec>();
  readonly staleInstances = new Set<InstanceRec>();
  readonly selfDownInstances = new Set<InstanceRec>();
  /**
   * Component name → the service-scoped backends of that name (`component://redis.orders`,
   * `component://redis.billing`): several services losing their "redis" at once is evidence of
   * one shared backend nobody has mapped yet.
   */
  readonly namesakes = new Map<string, Set<string>>();
  /** Instances currently silent (overdue or stale), fleet-wide. */
  silentCount = 0;
  /** Instances watched for silence (InstanceRec.watched), fleet-wide. */
  watchedCount = 0;
  /** Silences in the order they began (pruned by fleetSilence): for "the whole fleet at once". */
  private readonly onsets: { inst: InstanceRec; at: number }[] = [];
  private onsetHead = 0;
  /** Event time of the first report of the newest instance: a fleet being replaced, not cut off. */
  lastArrivalAt = -Infinity;
  /** Where the current (or last) fleet-wide silence began: silences since then are the intake's. */
  fleetCutFrom = Infinity;
  /** Learned across instances: the interval assumed for an instance whose own is not known yet. */
  typicalIntervalMs: number;

  constructor(
    private readonly windowSize: number,
    initialIntervalMs: number,
  ) {
    this.typicalIntervalMs = initialIntervalMs;
  }

  intervalOf(inst: InstanceRec): number {
    return inst.intervalMs ?? this.typicalIntervalMs;
  }

  /** Applies one report; returns the instance, or null when the report is not newer than its watermark. */
  apply(report: CorrelationReport): InstanceRec | null {
    const key = instanceKey(report.service, report.instance);
    let inst = this.instances.get(key);
    if (inst && report.observedAt <= inst.lastSeen) return null;
    if (!inst) inst = this.createInstance(key, report);
    else if (report.periodic !== false) {
      const gap = report.observedAt - inst.lastSeen;
      inst.intervalMs = learnInterval(inst.intervalMs, gap);
      this.typicalIntervalMs = learnInterval(this.typicalIntervalMs, inst.intervalMs);
    }
    if (report.periodic === false) inst.events = true;
    if (inst.stale) this.revive(inst);
    if (inst.silent) this.setSilent(inst, false, report.observedAt);
    this.place(
      inst,
      report.host === null ? null : hostKey(report.host),
      report.labels.zone === undefined ? null : zoneKey(report.labels.zone),
      !inst.events && inst.intervalMs !== null,
    );
    this.applyChecks(inst, report);
    inst.lastSeen = report.observedAt;
    inst.seq++;
    return inst;
  }

  /** The instance missed a report (or, with silent=false, reported again). */
  setSilent(inst: InstanceRec, silent: boolean, at: number): void {
    if (inst.silent === silent) return;
    inst.silent = silent;
    inst.silentSince = silent ? at : 0;
    if (silent) this.onsets.push({ inst, at });
    const d = silent ? 1 : -1;
    this.silentCount += d;
    if (inst.watched && inst.host) (this.hosts.get(inst.host) as HostRec).silent += d;
    if (inst.watched && inst.zone) (this.zones.get(inst.zone) as ZoneRec).silent += d;
    (this.services.get(inst.serviceKey) as ServiceRec).silent += d;
  }

  /**
   * The fleet's silence over the last `windowMs`: how many instances fell silent within it and
   * are still silent, out of those that were reporting when it began (the rest of the fleet was
   * silent already: retired instances, a zone down for an hour). O(silences begun in the window).
   */
  fleetSilence(now: number, windowMs: number): { recent: number; liveBefore: number } {
    const from = now - windowMs;
    while (this.onsetHead < this.onsets.length && this.onsets[this.onsetHead].at < from)
      this.onsetHead++;
    if (this.onsetHead > 1024 && this.onsetHead * 2 > this.onsets.length) {
      this.onsets.splice(0, this.onsetHead);
      this.onsetHead = 0;
    }
    let recent = 0;
    for (let i = this.onsetHead; i < this.onsets.length; i++) {
      const { inst, at } = this.onsets[i];
      if (inst.silent && inst.silentSince === at) recent++;
    }
    return { recent, liveBefore: this.watchedCount - this.silentCount + recent };
  }

  /**
   * The instance is stale: it becomes a symptom, and its last check results stop counting as
   * live. Its failures are not recoveries: they stay, unknown (see CheckRec.known).
   */
  markStale(inst: InstanceRec, at: number): void {
    if (inst.stale) return;
    inst.stale = true;
    inst.staleSince = at;
    for (const check of inst.checks.values()) this.loseSight(check);
    this.setSelfDown(inst, false);
    this.staleInstances.add(inst);
  }

  /** A check no longer reported: a failure or warning stays as unknown; a pass stops counting. */
  private loseSight(check: CheckRec): void {
    this.uncount(check);
    if (check.status === 'pass') {
      check.run = 0;
      return;
    }
    check.known = false;
    this.count(check);
  }

  private revive(inst: InstanceRec): void {
    inst.stale = false;
    inst.staleSince = 0;
    this.staleInstances.delete(inst);
  }

  private createInstance(key: string, report: CorrelationReport): InstanceRec {
    this.lastArrivalAt = Math.max(this.lastArrivalAt, report.observedAt);
    const inst: InstanceRec = {
      key,
      service: report.service,
      serviceKey: serviceKey(report.service),
      name: report.instance,
      host: null,
      zone: null,
      lastSeen: -Infinity,
      intervalMs: null,
      watched: false,
      events: false,
      seq: 0,
      status: 'pass',
      selfDown: false,
      selfRun: 0,
      selfSince: 0,
      silent: false,
      silentSince: 0,
      stale: false,
      staleSince: 0,
      failingTargeted: 0,
      checks: new Map(),
    };
    this.instances.set(key, inst);
    let service = this.services.get(inst.serviceKey);
    if (!service)
      this.services.set(
        inst.serviceKey,
        (service = { key: inst.serviceKey, instances: new Set(), silent: 0, selfDown: 0 }),
      );
    service.instances.add(inst);
    return inst;
  }

  /**
   * Moves an instance between hosts and zones (counts follow). Only watched instances are members
   * for silence: an alert source on a host must not dilute that host's silence.
   */
  private place(
    inst: InstanceRec,
    host: string | null,
    zone: string | null,
    watched: boolean,
  ): void {
    if (inst.host === host && inst.zone === zone && inst.watched === watched) return;
    // Backends count checks per zone: take the instance's counted checks out and back in.
    const counted = [...inst.checks.values()].filter((c) => c.counted);
    counted.forEach((c) => this.uncount(c));
    const silent = inst.silent ? 1 : 0;
    if (inst.watched) {
      this.watchedCount--;
      if (inst.host) {
        const old = this.hosts.get(inst.host) as HostRec;
        old.instances.delete(inst);
        old.silent -= silent;
      }
      if (inst.zone) {
        const old = this.zones.get(inst.zone) as ZoneRec;
        old.instances--;
        old.silent -= silent;
      }
    }
    inst.host = host;
    inst.zone = zone;
    inst.watched = watched;
    if (host) {
      let rec = this.hosts.get(host);
      if (!rec) this.hosts.set(host, (rec = { key: host, zone, instances: new Set(), silent: 0 }));
      rec.zone = zone;
      if (watched) {
        rec.instances.add(inst);
        rec.silent += silent;
      }
    }
    if (zone) {
      let rec = this.zones.get(zone);
      if (!rec)
        this.zones.set(zone, (rec = { key: zone, instances: 0, silent: 0, hosts: new Set() }));
      if (watched) {
        rec.instances++;
        rec.silent += silent;
        if (host) rec.hosts.add(host);
      }
    }
    if (watched) this.watchedCount++;
    counted.forEach((c) => this.count(c));
  }

  private applyChecks(inst: InstanceRec, report: CorrelationReport): void {
    let failingTargeted = 0;
    let failingUntargeted = 0;
    const seen = new Set<string>();
    for (const c of report.checks) {
      seen.add(c.name);
      let rec = inst.checks.get(c.name);
      if (!rec) {
        rec = {
          id: `${inst.key}#${c.name}`,
          inst,
          name: c.name,
          targetKey: c.targetKey,
          status: c.status,
          run: 0,
          since: report.observedAt,
          counted: false,
          known: true,
        };
        inst.checks.set(c.name, rec);
      }
      this.uncount(rec);
      // A new target for the same outcome (a mapping added mid-outage) continues the run.
      if (rec.status === c.status && rec.run > 0) rec.run++;
      else {
        rec.run = 1;
        rec.since = report.observedAt;
      }
      rec.status = c.status;
      rec.targetKey = c.targetKey;
      rec.known = true;
      this.count(rec);
      if (c.targetKey !== null) this.record(c.targetKey, c.status === 'fail', report.observedAt);
      if (c.status === 'fail') {
        if (c.targetKey !== null) failingTargeted++;
        else failingUntargeted++;
      }
    }
    // A check missing from a report has not recovered, unless the report says all is well. An
    // event (an alert group) speaks only of its own checks: the others stand as they were.
    const allWell = report.status === 'pass' && failingTargeted + failingUntargeted === 0;
    let status = report.status;
    for (const [name, rec] of inst.checks) {
      if (seen.has(name)) continue;
      if (report.periodic === false) {
        // Still firing from an earlier group: the instance's state is all of its alerts.
        if (rec.status === 'fail') {
          if (rec.targetKey !== null) failingTargeted++;
          else failingUntargeted++;
        }
        status = worstStatus([status, rec.status]);
      } else if (allWell || rec.status === 'pass') {
        this.uncount(rec);
        inst.checks.delete(name);
      } else if (rec.known) this.loseSight(rec);
    }
    inst.status = status;
    inst.failingTargeted = failingTargeted;
    const selfDown = status === 'fail' && (failingUntargeted > 0 || failingTargeted === 0);
    if (selfDown) {
      if (!inst.selfDown) inst.selfSince = report.observedAt;
      inst.selfRun++;
    } else inst.selfRun = 0;
    this.setSelfDown(inst, selfDown);
  }

  private setSelfDown(inst: InstanceRec, down: boolean): void {
    if (!down) inst.selfRun = 0;
    if (inst.selfDown === down) return;
    inst.selfDown = down;
    (this.services.get(inst.serviceKey) as ServiceRec).selfDown += down ? 1 : -1;
    if (down) this.selfDownInstances.add(inst);
    else this.selfDownInstances.delete(inst);
  }

  private count(rec: CheckRec): void {
    if (rec.counted || rec.targetKey === null) return;
    rec.counted = true;
    const backend = this.backend(rec.targetKey);
    if (backend.name === null && rec.targetKey.startsWith(SCOPED_PREFIX)) this.name(backend, rec);
    backend.checks++;
    const zone = rec.inst.zone ?? '';
    backend.zoneChecks.set(zone, (backend.zoneChecks.get(zone) ?? 0) + 1);
    if (rec.status === 'fail') {
      backend.failing.add(rec);
      this.failingChecks.add(rec);
      if (!rec.known) backend.unknownFailing++;
    } else if (rec.status === 'warn') {
      backend.warning.add(rec);
      this.warningChecks.add(rec);
      if (!rec.known) backend.unknownWarning++;
    }
  }

  /** Files a service-scoped backend under its component name (once). */
  private name(backend: BackendRec, rec: CheckRec): void {
    const name = scopedComponentName(backend.key, rec.inst.service);
    if (name === null) return;
    backend.name = name;
    let set = this.namesakes.get(name);
    if (!set) this.namesakes.set(name, (set = new Set()));
    set.add(backend.key);
  }

  private uncount(rec: CheckRec): void {
    if (!rec.counted || rec.targetKey === null) return;
    rec.counted = false;
    const backend = this.backends.get(rec.targetKey) as BackendRec;
    backend.checks--;
    const zone = rec.inst.zone ?? '';
    const n = (backend.zoneChecks.get(zone) ?? 1) - 1;
    if (n > 0) backend.zoneChecks.set(zone, n);
    else backend.zoneChecks.delete(zone);
    if (!rec.known && backend.failing.has(rec)) backend.unknownFailing--;
    if (!rec.known && backend.warning.has(rec)) backend.unknownWarning--;
    backend.failing.delete(rec);
    this.failingChecks.delete(rec);
    backend.warning.delete(rec);
    this.warningChecks.delete(rec);
  }

  private record(targetKey: string, failed: boolean, at: number): void {
    const b = this.backend(targetKey);
    b.window[b.windowNext] = failed ? 1 : 0;
    b.windowAt[b.windowNext] = at;
    b.windowNext = (b.windowNext + 1) % b.window.length;
    if (b.windowFill < b.window.length) b.windowFill++;
  }

  private backend(key: string): BackendRec {
    let rec = this.backends.get(key);
    if (!rec)
      this.backends.set(
        key,
        (rec = {
          key,
          checks: 0,
          failing: new Set(),
          warning: new Set(),
          unknownFailing: 0,
          unknownWarning: 0,
          name: null,
          zoneChecks: new Map(),
          window: new Uint8Array(this.windowSize),
          windowAt: new Float64Array(this.windowSize),
          windowNext: 0,
          windowFill: 0,
        }),
      );
    return rec;
  }
}
