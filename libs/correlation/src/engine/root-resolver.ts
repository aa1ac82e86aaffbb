import type { TopologyGraph } from '@faultline/topology';

import { type CorrelationOptions, INTAKE_KEY } from './engine.model';
import type { EngineState } from './engine-state';
import { type CheckRec, type InstanceRec, passesSince, recentFailShare } from './records';

// "At once": instances fall silent within this many typical intervals of each other.
const FLEET_SILENCE_WINDOW_INTERVALS = 6;
// "At the same moment": services lose a dependency of the same name within this many intervals.
const SHARED_NAME_ONSET_INTERVALS = 3;

/** The root named by a component name that several services share (see RootResolver.sharedName). */
export const sharedNameKey = (name: string): string => `backend:component://${name}`;
/** Where a symptom's explanation ends. */
export interface Resolution {
  /** The root entity key. */
  key: string;
  /**
   * False while evidence that could move the root is still due (a server that has not reported
   * since its dependents started failing, siblings on the host that may yet fall silent, a zone
   * whose silence is still spreading). Bounded by about one report interval.
   */
  settled: boolean;
  /** Entities between the symptom and the root, symptom side first (the root excluded). */
  via: readonly string[];
}

const leaf = (key: string): Resolution => ({ key, settled: true, via: [] });
/** Passing reports from other dependents that clear a backend of one dependent's failure. */
const EXONERATING_PASSES = 2;
/** Backends a zone must lose (while other zones reach them) to be the root: one is a backend's own path. */
const PARTITION_BACKENDS = 2;

/**
 * Explains each symptom by walking from it towards the most upstream entity that is itself down.
 *
 * Down means, per kind (held = the entity is the root or on the path of an open incident, which
 * only has to keep failing to stay down: recovery hysteresis):
 *   backend   more than `majority` of its live checks fail, or of its last min(window, n) outcomes
 *             (fast onset for large fan-in), or >= partialShare fail for 2+ reports with 3+ witnesses;
 *             degraded (warnings count) when more than `majority` of its live checks warn or fail;
 *   fleet     4+ instances on 2+ hosts and >= silentShare of all of them silent: the intake (the
 *             path between the fleet and Faultline) is down, not every zone at once;
 *   host      2+ instances and >= silentShare of them silent;  zone  4+ instances on 2+ hosts, same;
 *   service   2+ instances and more than `majority` silent, or down for their own reasons.
 * Counts are of live checks: a failure no longer reported (CheckRec.known false) keeps a held
 * backend down only while no live check says it is back.
 * Walk, per symptom:
 *   failing check of B   lost from its zone Z (see lostFromZones) with 2+ backends so lost → Z;
 *                        else B down ? explain(B) : the instance (or its service, when most of it fails B),
 *                        unsettled until other dependents of B have reported passing since
 *   explain(B)           no server known: B, or for B scoped to a service (`component://redis.orders`)
 *                        with another service's namesake down at the same moment, the shared name
 *                        (`component://redis`); else by B's servers (alias or name match):
 *                        mostly silent → explain(silence);
 *                        mostly failing their own dependencies → explain(the down dependency X)
 *                        (the cascade: B's callers are explained by X); mostly down for their own
 *                        reasons → B itself (a broker reporting itself down is the broker);
 *                        mostly up → B (the path to it is broken). Servers not heard from since
 *                        the newest of B's failures began → unsettled (at most one interval: then
 *                        they report or are overdue, i.e. silent).
 *   warning check of B   B degraded ? explain(B) : no symptom (one slow answer pages nobody);
 *   explain(silence)     fleet silent → the intake; zone down → zone; host down → host; service down → service; else the instance,
 *                        unsettled while host siblings or the zone may still go silent.
 *   self-down instance   the backend it alone serves, else its service if most of it is down, else itself.
 * An instance that alone serves a backend is that backend (TopologyGraph.identityOf), so the
 * broker's own report and its dependents' failures land on one key.
 *
 * Contract: one resolver per evaluation (it memoises per entity); pure reads of state.
 * Preconditions: symptoms come from the state's symptom sets. Cycles in the dependency graph are
 * cut where the walk meets an entity already on its path.
 * Complexity: each entity is resolved once per evaluation; O(S + Σ servers + Σ failing checks of
 * touched backends + Σ instances of touched hosts) for S symptoms, so linear in the storm size;
 * the zone split of failing checks is one O(failing checks) pass per evaluation.
 */
export class RootResolver {
  private readonly memo = new Map<string, Resolution>();
  private readonly down = new Map<string, boolean>();
  private readonly active = new Set<string>();
  private readonly identities = new Map<string, string>();
  private readonly serviceFailing = new Map<string, number>();
  private lost: Map<string, Set<string>> | null = null;
  private readonly confined = new Map<string, { zone: string; since: number } | null>();

  constructor(
    private readonly state: EngineState,
    private readonly topology: TopologyGraph,
    private readonly options: CorrelationOptions,
    private readonly now: number,
    private readonly held: ReadonlySet<string>,
  ) {}

  forCheck(check: CheckRec): Resolution {
    const b = check.targetKey as string;
    const zone = this.partitioned(check);
    if (zone !== null) return leaf(zone);
    if (!this.backendDown(b)) return this.local(check, b);
    return this.explainBackend(b);
  }

  /** A warning about a degraded backend explains like a failure; elsewhere it is no symptom (null). */
  forWarn(check: CheckRec): Resolution | null {
    const b = check.targetKey as string;
    return this.backendDegraded(b) ? this.explainBackend(b) : null;
  }

  forStale(inst: InstanceRec): Resolution {
    return this.silence(inst);
  }

  forSelf(inst: InstanceRec): Resolution {
    const id = this.identity(inst);
    if (id !== inst.key) return leaf(id);
    if (this.serviceDown(inst.serviceKey, 'self')) return leaf(inst.serviceKey);
    return leaf(inst.key);
  }

  backendDown(b: string): boolean {
    return this.cached(`b|${b}`, () => {
      const rec = this.state.backends.get(b);
      if (!rec || rec.failing.size === 0 || rec.checks === 0) return false;
      const failing = rec.failing.size - rec.unknownFailing;
      const live = rec.checks - rec.unknownFailing - rec.unknownWarning;
      // Held: down while a live check still fails it, or while no live check says it is back
      // (its dependents fell silent failing it: that is not a recovery) and, for a scoped
      // backend, no namesake that failed with it has recovered (they speak for the shared one).
      if (this.held.has(b)) {
        if (failing > 0) return true;
        if (live - rec.warning.size + rec.unknownWarning > 0) return false;
        return rec.name === null || !this.namesakeRecovered(rec.name);
      }
      if (failing === 0 || this.zonePathSuspected(b)) return false;
      const { majority, windowSize, partialShare } = this.options;
      if (failing / live > majority || recentFailShare(rec, Math.min(windowSize, live)) > majority)
        return true;
      let persistent = 0;
      for (const c of rec.failing) if (c.known && c.run >= 2) persistent++;
      return persistent >= 3 && persistent / live >= partialShare;
    });
  }

  /** Most of its dependents warn about it or fail it, and some warn. */
  backendDegraded(b: string): boolean {
    return this.cached(`w|${b}`, () => {
      const rec = this.state.backends.get(b);
      if (!rec || rec.warning.size === 0 || rec.checks === 0) return false;
      const unknown = rec.unknownFailing + rec.unknownWarning;
      const troubled = rec.warning.size + rec.failing.size - unknown;
      const live = rec.checks - unknown;
      if (this.held.has(b)) return troubled > 0 || live === 0;
      return live > 0 && troubled / live > this.options.majority;
    });
  }

  /** A namesake that failed recently (within its outcome ring) and whose live checks all pass now. */
  private namesakeRecovered(name: string): boolean {
    for (const other of this.state.namesakes.get(name) ?? []) {
      const rec = this.state.backends.get(other);
      if (!rec || rec.failing.size > 0 || rec.checks === 0) continue;
      if (recentFailShare(rec, rec.window.length) > 0) return true;
    }
    return false;
  }

  /**
   * The root shared by service-scoped backends of one name: `backend:component://redis` when
   * 2+ services lose the dependency each of them calls "redis" within SHARED_NAME_ONSET_INTERVALS
   * of each other. Null for a backend with an address, or a name only one service lost.
   */
  sharedName(b: string): string | null {
    const name = this.state.backends.get(b)?.name;
    if (!name) return null;
    const key = sharedNameKey(name);
    if (this.held.has(key)) return key;
    const onset = this.failureOnset(b);
    const window = SHARED_NAME_ONSET_INTERVALS * this.state.typicalIntervalMs;
    for (const other of this.state.namesakes.get(name) ?? [])
      if (
        other !== b &&
        this.backendDown(other) &&
        Math.abs(this.failureOnset(other) - onset) <= window
      )
        return key;
    return null;
  }

  /**
   * Silence across the fleet: Faultline is cut off from it. Nearly every instance that was
   * reporting fell silent within one window, and no new instance appeared meanwhile (a fleet
   * replaced by another, as a replay of one recording after another is, is not cut off).
   * Instances silent since before the window (retired, or down on their own) do not count.
   */
  fleetSilent(): boolean {
    return this.cached('f|', () => {
      const s = this.state;
      if (s.silentCount === 0) return false;
      // A new instance reporting refutes the cut: the silent fleet was replaced, not cut off
      // (time only moves when reports arrive, so the gap before a new fleet looks like a cut).
      if (this.held.has(INTAKE_KEY)) return s.lastArrivalAt <= s.fleetCutFrom;
      const window = FLEET_SILENCE_WINDOW_INTERVALS * s.typicalIntervalMs;
      if (s.lastArrivalAt > this.now - window) return false;
      const { recent, liveBefore } = s.fleetSilence(this.now, window);
      const cut =
        liveBefore >= 4 &&
        s.hosts.size >= 2 &&
        recent >= Math.ceil(this.options.silentShare * liveBefore);
      // While the cut lasts, only the silences that began with it are the intake's.
      if (cut) s.fleetCutFrom = this.now - window;
      return cut;
    });
  }

  hostDown(h: string): boolean {
    return this.cached(`h|${h}`, () => {
      const rec = this.state.hosts.get(h);
      if (!rec || rec.silent === 0) return false;
      if (this.held.has(h)) return true;
      return (
        rec.instances.size >= 2 &&
        rec.silent >= Math.ceil(this.options.silentShare * rec.instances.size)
      );
    });
  }

  zoneDown(z: string): boolean {
    return this.cached(`z|${z}`, () => {
      const rec = this.state.zones.get(z);
      if (!rec || rec.silent === 0) return false;
      if (this.held.has(z)) return true;
      return (
        rec.instances >= 4 &&
        rec.hosts.size >= 2 &&
        rec.silent >= Math.ceil(this.options.silentShare * rec.instances)
      );
    });
  }

  serviceDown(s: string, how: 'silent' | 'self'): boolean {
    return this.cached(`s${how}|${s}`, () => {
      const rec = this.state.services.get(s);
      const n = how === 'silent' ? (rec?.silent ?? 0) : (rec?.selfDown ?? 0);
      if (!rec || n === 0) return false;
      if (this.held.has(s)) return true;
      return rec.instances.size >= 2 && n >= 2 && n > this.options.majority * rec.instances.size;
    });
  }

  /**
   * Event time at which the newest of a backend's current failures began: a server that reported
   * healthy after it has spoken about every one of them. (An older bar lets a dependent's flap
   * just before an outage date it, and servers that reported between the two look healthy.)
   */
  failureOnset(b: string): number {
    let newest = -Infinity;
    for (const c of this.state.backends.get(b)?.failing ?? [])
      if (c.since > newest) newest = c.since;
    return newest;
  }

  identity(inst: InstanceRec): string {
    let id = this.identities.get(inst.key);
    if (id === undefined) this.identities.set(inst.key, (id = this.topology.identityOf(inst.key)));
    return id;
  }

  private explainBackend(b: string): Resolution {
    const r = this.backend(b);
    return r.key === b ? r : { key: r.key, settled: r.settled, via: [b, ...r.via] };
  }

  /**
   * The zone of a failing check when the check's instance is in a zone that lost 2+ backends
   * (one, while the zone holds an incident) which other zones still reach: a network partition.
   */
  private partitioned(check: CheckRec): string | null {
    const z = check.inst.zone;
    if (z === null) return null;
    const lost = this.lostFromZones().get(z);
    if (!lost?.has(check.targetKey as string)) return null;
    return lost.size >= (this.held.has(z) ? 1 : PARTITION_BACKENDS) ? z : null;
  }

  /**
   * Per zone, the backends its instances lost while other zones reach them (see confinedTo) and
   * most of the zone's own checks of them fail. O(failing checks) once per evaluation.
   */
  lostFromZones(): ReadonlyMap<string, ReadonlySet<string>> {
    if (this.lost) return this.lost;
    this.lost = new Map();
    const seen = new Set<string>();
    for (const c of this.state.failingChecks) {
      const b = c.targetKey as string;
      if (seen.has(b)) continue;
      seen.add(b);
      const confined = this.confinedTo(b);
      if (confined === null) continue;
      let set = this.lost.get(confined.zone);
      if (!set) this.lost.set(confined.zone, (set = new Set()));
      set.add(b);
    }
    return this.lost;
  }

  /**
   * The zone a backend's failures are confined to: most of that zone's checks of it fail, at most
   * a tenth of the checks elsewhere do (flaps), and 2+ outcomes elsewhere passed since the zone's
   * first failure (at a backend's onset one zone may simply report first: then nothing passed).
   * One pass over the backend's failing checks, memoised.
   */
  private confinedTo(b: string): { zone: string; since: number } | null {
    let hit = this.confined.get(b);
    if (hit !== undefined) return hit;
    hit = null;
    const rec = this.state.backends.get(b);
    // One pass: failing checks and the earliest failure per zone.
    const zones = new Map<string, { n: number; since: number }>();
    for (const c of rec?.failing ?? []) {
      const z = c.inst.zone ?? '';
      const seen = zones.get(z);
      if (!seen) zones.set(z, { n: 1, since: c.since });
      else {
        seen.n++;
        if (c.since < seen.since) seen.since = c.since;
      }
    }
    let zone = '';
    let most = 0;
    let since = Infinity;
    for (const [z, v] of zones)
      if (v.n > most || (v.n === most && z < zone)) [zone, most, since] = [z, v.n, v.since];
    if (rec && zone !== '') {
      const inZone = rec.zoneChecks.get(zone) ?? 0;
      const outside = rec.checks - inZone;
      const failingOutside = rec.failing.size - most;
      if (
        2 * most > inZone &&
        outside - failingOutside >= 2 &&
        10 * failingOutside <= outside &&
        passesSince(rec, since) >= 2
      )
        hit = { zone, since };
    }
    this.confined.set(b, hit);
    return hit;
  }

  /** A backend confined to one zone is not down while that zone lost others too, or for its first interval. */
  private zonePathSuspected(b: string): boolean {
    const confined = this.confinedTo(b);
    if (confined === null) return false;
    if ((this.lostFromZones().get(confined.zone)?.size ?? 0) >= PARTITION_BACKENDS) return true;
    return this.now - confined.since < this.state.typicalIntervalMs;
  }

  /**
   * A failure the backend's other dependents do not share. Settled only once they have exonerated
   * it (reported passing since this failure began): until then the backend may be going down.
   */
  private local(check: CheckRec, b: string): Resolution {
    const inst = check.inst;
    // Lost from its zone, which may be losing other backends too: wait for the partition to show.
    if (this.confinedTo(b)?.zone === inst.zone && this.zonePathSuspected(b))
      return { key: this.identity(inst), settled: false, via: [] };
    const rec = this.state.backends.get(b);
    const others = rec ? rec.checks - rec.failing.size : 0;
    const exonerated =
      rec === undefined || passesSince(rec, check.since) >= Math.min(EXONERATING_PASSES, others);
    if (!exonerated) return { key: this.identity(inst), settled: false, via: [] };
    const service = this.state.services.get(inst.serviceKey);
    if (service && service.instances.size >= 2) {
      const key = `${inst.serviceKey}|${b}`;
      let n = this.serviceFailing.get(key);
      if (n === undefined) {
        n = 0;
        for (const c of this.state.backends.get(b)?.failing ?? [])
          if (c.inst.serviceKey === inst.serviceKey) n++;
        this.serviceFailing.set(key, n);
      }
      if (n >= 2 && n > this.options.majority * (service.instances.size - service.silent))
        return leaf(inst.serviceKey);
    }
    return leaf(this.identity(inst));
  }

  private backend(b: string): Resolution {
    return this.memoised(`B|${b}`, () => {
      const serving = this.topology.serving(b);
      if (serving.servers.length === 0) {
        const host = serving.owner?.startsWith('host:') ? serving.owner : null;
        if (host !== null && this.hostDown(host)) return this.hostRoot(host);
        return leaf(this.sharedName(b) ?? b);
      }
      const owner = serving.owner?.startsWith('service:') ? serving.owner : b;
      const start = this.failureOnset(b);
      const silent: InstanceRec[] = [];
      const deps: InstanceRec[] = [];
      let self = 0;
      let unknown = 0;
      let known = 0;
      for (const key of serving.servers) {
        const inst = this.state.instances.get(key);
        if (!inst) continue;
        known++;
        if (inst.stale || inst.silent) silent.push(inst);
        // Failing a dependency explains more than an untargeted check failing beside it (a blip).
        else if (inst.status === 'fail' && inst.failingTargeted > 0) deps.push(inst);
        else if (inst.selfDown) self++;
        else if (inst.lastSeen < start) unknown++;
      }
      if (known === 0) return leaf(b);
      const down = silent.length + deps.length + self;
      if (2 * down > known) {
        if (silent.length >= deps.length && silent.length >= self)
          return this.silentServers(silent, owner);
        if (deps.length >= self) return this.dependencyOf(deps, b, owner, start);
        return leaf(owner);
      }
      if (2 * (down + unknown) > known) return { key: owner, settled: false, via: [] };
      return leaf(b);
    });
  }

  /** Servers mostly silent: the most common explanation of their silence. */
  private silentServers(servers: InstanceRec[], owner: string): Resolution {
    const votes = new Map<string, { r: Resolution; n: number }>();
    for (const inst of servers) {
      let r = this.silence(inst);
      if (r.key === inst.key || r.key === this.identity(inst))
        r = { key: owner, settled: r.settled, via: [] };
      const vote = votes.get(r.key);
      if (vote) {
        vote.n++;
        if (!r.settled) vote.r = { ...vote.r, settled: false };
      } else votes.set(r.key, { r, n: 1 });
    }
    const best = [...votes.values()].sort((a, b) => b.n - a.n || (a.r.key < b.r.key ? -1 : 1))[0];
    return best.r;
  }

  /**
   * Servers mostly failing their own dependencies: the cascade goes up to where their failing
   * checks lead (the most common root among them). Failures local to the servers make the
   * backend's owner the root, but only on news from after the failure began (a blip of theirs
   * just before does not explain it); any of their checks still unsettled leaves this unsettled.
   */
  private dependencyOf(
    servers: InstanceRec[],
    b: string,
    owner: string,
    onset: number,
  ): Resolution {
    const votes = new Map<string, { r: Resolution; n: number }>();
    let settled = true;
    for (const inst of servers) {
      for (const c of inst.checks.values()) {
        if (c.status !== 'fail' || c.targetKey === null || c.targetKey === b || !c.counted)
          continue;
        const r = this.forCheck(c);
        settled &&= r.settled;
        const own =
          r.key === inst.key || r.key === this.identity(inst) || r.key === inst.serviceKey;
        const key = own ? owner : r.key;
        const vote = votes.get(key);
        if (vote) vote.n++;
        else votes.set(key, { r: own ? leaf(owner) : r, n: 1 });
      }
    }
    const best = [...votes.values()].sort((p, q) => q.n - p.n || (p.r.key < q.r.key ? -1 : 1))[0];
    if (!best || best.r.key === owner)
      return { key: owner, settled: settled && servers.every((i) => i.lastSeen >= onset), via: [] };
    return {
      key: best.r.key,
      settled: settled && best.r.settled,
      via: owner !== b ? [owner, ...best.r.via] : best.r.via,
    };
  }

  private silence(inst: InstanceRec): Resolution {
    return this.memoised(`S|${inst.key}`, () => {
      const { zone, host } = inst;
      const long = inst.stale || this.now >= inst.silentSince + this.state.intervalOf(inst);
      if (this.fleetSilent() && inst.silentSince >= this.state.fleetCutFrom)
        return leaf(INTAKE_KEY);
      if (zone !== null && this.zoneDown(zone))
        return {
          key: zone,
          settled: true,
          via: host !== null && this.hostDown(host) ? [host] : [],
        };
      const hostSilent = host !== null ? (this.state.hosts.get(host)?.silent ?? 0) : 1;
      const unfolding = zone !== null && (this.state.zones.get(zone)?.silent ?? 0) > hostSilent;
      if (host !== null && this.hostDown(host))
        return { key: host, settled: long || !unfolding, via: [] };
      if (this.serviceDown(inst.serviceKey, 'silent'))
        return { key: inst.serviceKey, settled: long || !unfolding, via: [] };
      const undecided =
        !long && (unfolding || (host !== null && this.siblingsUndecided(inst, host)));
      return { key: this.identity(inst), settled: !undecided, via: [] };
    });
  }

  /** Some instance on the host has neither fallen silent nor reported since `inst` missed its slot. */
  private siblingsUndecided(inst: InstanceRec, host: string): boolean {
    const due = inst.lastSeen + this.state.intervalOf(inst);
    for (const sibling of this.state.hosts.get(host)?.instances ?? []) {
      if (sibling !== inst && !sibling.silent && sibling.lastSeen < due) return true;
    }
    return false;
  }

  private hostRoot(host: string): Resolution {
    const zone = this.state.hosts.get(host)?.zone ?? null;
    return zone !== null && this.zoneDown(zone)
      ? { key: zone, settled: true, via: [host] }
      : leaf(host);
  }

  private cached(key: string, compute: () => boolean): boolean {
    let v = this.down.get(key);
    if (v === undefined) this.down.set(key, (v = compute()));
    return v;
  }

  private memoised(key: string, compute: () => Resolution): Resolution {
    const hit = this.memo.get(key);
    if (hit) return hit;
    // A dependency cycle: stop at the entity met again (keys are "<tag>|<entity key>").
    if (this.active.has(key)) return leaf(key.slice(2));
    this.active.add(key);
    const r = compute();
    this.active.delete(key);
    this.memo.set(key, r);
    return r;
  }
}
