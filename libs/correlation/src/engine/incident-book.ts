import type { Change } from '@faultline/changes';
import { entityKind } from '@faultline/reports';

import { CHANGE_CLOCK_SKEW_MS, type ChangeEvidence } from './change-evidence';
import { changeRef } from './change-log';
import type { ChangeRef, Incident, IncidentChange, RootCause, TimelineEntry } from './engine.model';
import type { Cluster, Symptom } from './symptoms';

interface IncidentRec {
  id: string;
  openedAt: number;
  firstEvidenceAt: number;
  /** The ranking of the failing entities alone: all the lifecycle's decisions read this one. */
  structural: RootCause[];
  /** What clients see: the structural ranking with the changes that bear on it (see ChangeEvidence). */
  causes: RootCause[];
  /** Entities whose later changes go on the timeline, and the change log version last read. */
  watched: string[];
  changesSeen: number;
  /** ChangeEvidence's judgement of a backend root failed by one service alone, as of its last ranking. */
  localTo: string | null;
  /** Changes already on its causes or timeline, with the status last recorded. */
  noted: Map<string, Change['status']>;
  services: Set<string>;
  instances: Set<string>;
  timeline: TimelineEntry[];
  /** Ids of the symptoms it explained at the last evaluation. */
  symptoms: Set<string>;
  /** Roots of the clusters attached at the last evaluation, and the entities their symptoms went through. */
  roots: string[];
  held: Set<string>;
  peakWeight: number;
  signature: string;
  /** Event time its symptoms last cleared while it waits out the quiet period; null while it has some. */
  quietSince: number | null;
  /** Most symptoms held at once in the current down period, and the last evaluation with half as many. */
  peakCount: number;
  halfAt: number;
  /** Down periods: 1, plus one per return from quiet (or from resolved, within the reopen window). */
  cycles: number;
  /** Longest up period seen between two of its down periods: from the recovery's midpoint (halfAt) to failing again. */
  longestUpMs: number;
  severity: 'warning' | 'critical';
  /** Instances it explained that fell silent while failing, as of the last evaluation. */
  lostSight: number;
}

export type Ranker = (primary: Cluster, others: readonly Cluster[]) => RootCause[];

/** The change reader the book consults (see ChangeEvidence). */
export type ChangeReader = Pick<ChangeEvidence, 'version' | 'attribute' | 'startedAfter' | 'get'>;

/** A resolved incident remembered for the reopen window: when it resolved, and the keys it answers to. */
interface ResolvedRec {
  inc: IncidentRec;
  at: number;
  keys: string[];
}

/**
 * A flapping incident's quiet period bridges its longest up period seen times this factor (a
 * cause that came back after 60 s may well come back after 80 s)...
 */
const FLAP_BRIDGE_FACTOR = 1.5;
/** ...up to this many quiet periods: a cause that stops flapping still resolves within 2.5 min (default). */
const FLAP_QUIET_CAP = 2;

/**
 * The incident lifecycle: clusters of symptoms in, opened / updated / resolved changes out.
 *
 * Contract, per evaluation: a cluster joins the open incident that already holds its root (one of
 * the roots of its clusters, or its top cause), else the one holding most of its symptoms (so late
 * evidence re-ranks an incident instead of opening a second one), else, for an instance-level
 * cluster, an open incident already affecting that instance (symptoms an open incident explains
 * never page on their own); otherwise, if it is significant (unlikely to be a coincidence of
 * flaps), it reopens the incident resolved within reopenWindowMs that had that root, else it opens
 * a new incident. Unsettled symptoms stay with the incident that held them.
 * An incident left with no symptom goes quiet: it holds nothing, keeps its roots, and resolves
 * once its quiet period has passed since its evidence fell under half its peak (the midpoint of the
 * recovery, which slow stragglers do not move), resolvedAt being when the last symptom cleared;
 * unless a significant cluster with one of its roots comes back first: then it continues, one
 * cycle more, flagged flapping. The quiet period is quietPeriodMs, and for a flapping incident
 * FLAP_BRIDGE_FACTOR × its longest up period seen, between quietPeriodMs and FLAP_QUIET_CAP ×
 * quietPeriodMs: later cycles of a flapping cause keep it open, a cause that never flapped is not
 * held longer. A resolved incident (its symptoms cleared, not handed to another) is remembered for
 * reopenWindowMs: failing again within it reopens it (same id, open again, resolvedAt null, one
 * cycle more, flapping; an 'updated' change), never a new incident. The top cause changes
 * only when another root explains more than the current top and at least half of the top's peak;
 * while the top stays and its evidence shrinks (dependents recovering) the ranking stays at its peak.
 * Determinism: clusters are processed heaviest first, ties by key; incidents in opening order
 * (a reopened one after those open); ids derive from the first root key and the opening time.
 * Complexity: O(S + C log C + Σ rank) per evaluation for S symptoms in C clusters, plus the
 * resolved incidents that leave the reopen window. Memory: the open incidents and those resolved
 * within reopenWindowMs.
 */
export class IncidentBook {
  private readonly open = new Map<string, IncidentRec>();
  private bySymptom = new Map<string, string>();
  private byRoot = new Map<string, string>();
  /** Incidents resolved within the reopen window, in the order they resolved; and by their keys. */
  private readonly resolved = new Map<string, ResolvedRec>();
  private readonly byResolvedRoot = new Map<string, string>();

  /**
   * @param significant whether a cluster carries enough evidence to page (see significance.ts).
   * @param quietPeriodMs how long an incident without symptoms waits before it resolves.
   * @param reopenWindowMs how long a resolved incident can be reopened by its root failing again.
   */
  constructor(
    private readonly significant: (c: Cluster) => boolean,
    private readonly quietPeriodMs: number,
    private readonly reopenWindowMs = 0,
    private readonly changes?: ChangeReader,
  ) {}

  /** The change log version the timelines were last checked against. */
  private changesNoted = -1;

  /**
   * The earliest first evidence of any incident open or remembered for reopening (Infinity when
   * none): changes from before its window can no longer bear on anything.
   */
  earliestEvidenceAt(): number {
    let earliest = Infinity;
    for (const inc of this.open.values()) earliest = Math.min(earliest, inc.firstEvidenceAt);
    for (const r of this.resolved.values()) earliest = Math.min(earliest, r.inc.firstEvidenceAt);
    return earliest;
  }

  /** Resolved incidents still remembered for reopening. */
  get recentlyResolvedCount(): number {
    return this.resolved.size;
  }

  get openCount(): number {
    return this.open.size;
  }

  /** Entities of open incidents that stay down while they keep failing (recovery hysteresis). */
  heldKeys(): Set<string> {
    const held = new Set<string>();
    for (const inc of this.open.values())
      if (inc.quietSince === null) for (const k of inc.held) held.add(k);
    return held;
  }

  /** Which open incident explained this symptom at the last evaluation. */
  incidentOf(symptomId: string): string | undefined {
    return this.bySymptom.get(symptomId);
  }

  snapshots(): Incident[] {
    return [...this.open.values()].map((inc) => snapshot(inc, 'open', null));
  }

  reconcile(
    clusters: Iterable<Cluster>,
    kept: ReadonlyMap<string, Symptom[]>,
    at: number,
    rank: Ranker,
  ): IncidentChange[] {
    this.forgetResolved(at);
    const noted = this.noteChanges(at);
    const ordered = [...clusters].sort((a, b) => b.weight - a.weight || compare(a.key, b.key));
    const claims = new Map<string, Cluster[]>();
    const fresh: Cluster[] = [];
    const reopened = new Map<string, ResolvedRec>();
    for (const c of ordered) {
      let target = this.returning(c) ?? this.mostOverlapping(c) ?? this.affecting(c);
      if (target === undefined) {
        if (!this.significant(c)) continue;
        target = this.reopening(c, reopened);
        if (target === undefined) {
          fresh.push(c);
          continue;
        }
      }
      const list = claims.get(target);
      if (list) list.push(c);
      else claims.set(target, [c]);
    }

    const changes: IncidentChange[] = [];
    const nextBySymptom = new Map<string, string>();
    const idle: IncidentRec[] = [];
    for (const inc of [...this.open.values()]) {
      const attached = claims.get(inc.id) ?? [];
      const pending = kept.get(inc.id) ?? [];
      if (attached.length === 0 && pending.length === 0) {
        idle.push(inc);
        continue;
      }
      let changed = false;
      const back = reopened.get(inc.id);
      if (back !== undefined || inc.quietSince !== null) {
        inc.cycles++;
        inc.longestUpMs = Math.max(inc.longestUpMs, at - inc.halfAt);
        inc.timeline.push({
          at,
          what: back
            ? `failing again ${seconds(at - back.at)} after it resolved (cycle ${inc.cycles}): flapping`
            : `failing again after ${seconds(at - (inc.quietSince ?? at))} quiet (cycle ${inc.cycles}): flapping`,
        });
        inc.quietSince = null;
        inc.peakCount = 0;
        changed = true;
      }
      changed = this.update(inc, attached, pending, at, rank) || changed;
      for (const id of inc.symptoms) nextBySymptom.set(id, inc.id);
      if (changed) changes.push({ type: 'updated', at, incident: snapshot(inc, 'open', null) });
    }
    for (const c of fresh) {
      const inc = this.create(c, at, rank);
      for (const id of inc.symptoms) nextBySymptom.set(id, inc.id);
      changes.push({ type: 'opened', at, incident: snapshot(inc, 'open', null) });
    }
    for (const inc of idle) {
      // Its symptoms may live on in another incident (rare: the clustering changed its mind).
      let heir: string | undefined;
      for (const id of inc.symptoms) if ((heir = nextBySymptom.get(id)) !== undefined) break;
      inc.symptoms = new Set();
      const quiet = this.quietPeriodOf(inc);
      if (heir === undefined && inc.quietSince === null) {
        inc.quietSince = at;
        if (quiet > 0) {
          inc.timeline.push({
            at,
            what: `recovered: no symptom left; resolves after ${seconds(quiet)} quiet unless it fails again`,
          });
          changes.push({ type: 'updated', at, incident: snapshot(inc, 'open', null) });
        }
      }
      const quietSince = inc.quietSince ?? at;
      if (heir === undefined && at - inc.halfAt < quiet) continue;
      this.open.delete(inc.id);
      if (heir === undefined) this.remember(inc, at);
      inc.timeline.push({
        at,
        what: heir
          ? `resolved: what it explained is now part of ${heir}`
          : 'resolved: the symptoms it explained cleared',
      });
      changes.push({ type: 'resolved', at, incident: snapshot(inc, 'resolved', quietSince) });
    }
    this.mergeSameTop(changes, nextBySymptom, at);
    // A change recorded on a timeline is news even when nothing else about the incident moved.
    for (const id of noted) {
      const inc = this.open.get(id);
      if (inc && !changes.some((c) => c.incident.id === id))
        changes.push({ type: 'updated', at, incident: snapshot(inc, 'open', null) });
    }
    this.bySymptom = nextBySymptom;
    this.byRoot = new Map();
    // An incident answers to its top cause too: its clusters' roots drift to stragglers as the
    // cause recovers, and the cause failing again must still find it. Current roots win.
    for (const inc of this.open.values()) this.byRoot.set(inc.structural[0].key, inc.id);
    for (const inc of this.open.values()) for (const r of inc.roots) this.byRoot.set(r, inc.id);
    return changes;
  }

  /**
   * One root cause, one open incident: an incident whose top cause an older open incident already
   * has is merged into that one. One opened in this evaluation never appears; an older one
   * resolves, saying where it went.
   */
  private mergeSameTop(
    changes: IncidentChange[],
    bySymptom: Map<string, string>,
    at: number,
  ): void {
    const byTop = new Map<string, IncidentRec>();
    const oldestFirst = [...this.open.values()].sort(
      (a, b) => a.openedAt - b.openedAt || compare(a.id, b.id),
    );
    for (const inc of oldestFirst) {
      const top = inc.structural[0].key;
      const keeper = byTop.get(top);
      if (keeper === undefined) {
        byTop.set(top, inc);
        continue;
      }
      absorb(keeper, inc);
      for (const id of inc.symptoms) bySymptom.set(id, keeper.id);
      this.open.delete(inc.id);
      const openedNow = changes.some((c) => c.type === 'opened' && c.incident.id === inc.id);
      if (openedNow) {
        for (let i = changes.length - 1; i >= 0; i--)
          if (changes[i].incident.id === inc.id) changes.splice(i, 1);
      } else {
        keeper.timeline.push({ at, what: `merged ${inc.id}: the same root cause (${top})` });
        inc.timeline.push({ at, what: `resolved: merged into ${keeper.id}, the same root cause` });
        changes.push({ type: 'resolved', at, incident: snapshot(inc, 'resolved', at) });
      }
      keeper.signature = signature(keeper);
      const own = changes.find((c) => c.incident.id === keeper.id && c.type !== 'resolved');
      if (own) own.incident = snapshot(keeper, 'open', null);
      else changes.push({ type: 'updated', at, incident: snapshot(keeper, 'open', null) });
    }
  }

  /**
   * An incident's quiet period: quietPeriodMs; once it flaps, long enough to bridge its longest up
   * period seen with some margin, capped so that a cause that stopped flapping still resolves.
   */
  private quietPeriodOf(inc: IncidentRec): number {
    if (inc.cycles < 2) return this.quietPeriodMs;
    return Math.min(
      FLAP_QUIET_CAP * this.quietPeriodMs,
      Math.max(this.quietPeriodMs, Math.round(FLAP_BRIDGE_FACTOR * inc.longestUpMs)),
    );
  }

  /** Keeps a resolved incident for the reopen window, by its roots and its top cause. */
  private remember(inc: IncidentRec, at: number): void {
    if (this.reopenWindowMs <= 0) return;
    const keys = [...new Set([inc.structural[0].key, ...inc.roots])];
    this.resolved.set(inc.id, { inc, at, keys });
    for (const k of keys) this.byResolvedRoot.set(k, inc.id);
  }

  /** Forgets the incidents resolved more than reopenWindowMs ago (they resolved in order). */
  private forgetResolved(at: number): void {
    for (const [id, rec] of this.resolved) {
      if (at - rec.at <= this.reopenWindowMs) break;
      this.drop(id, rec);
    }
  }

  private drop(id: string, rec: ResolvedRec): void {
    this.resolved.delete(id);
    for (const k of rec.keys) if (this.byResolvedRoot.get(k) === id) this.byResolvedRoot.delete(k);
  }

  /**
   * The recently resolved incident a significant cluster with its root reopens: moved back among
   * the open ones (the caller records it in `reopened`, which the rest of the evaluation reads).
   */
  private reopening(c: Cluster, reopened: Map<string, ResolvedRec>): string | undefined {
    const id = this.byResolvedRoot.get(c.key);
    if (id === undefined) return undefined;
    if (reopened.has(id)) return id;
    const rec = this.resolved.get(id);
    if (rec === undefined) return undefined;
    this.drop(id, rec);
    reopened.set(id, rec);
    this.open.set(id, rec.inc);
    return id;
  }

  /**
   * The open incident that already holds the cluster's root. A quiet one takes it back only on
   * evidence that would have opened an incident (a significant cluster): stragglers and flaps
   * must not keep a recovered incident alive.
   */
  private returning(c: Cluster): string | undefined {
    const id = this.byRoot.get(c.key);
    if (id === undefined) return undefined;
    const inc = this.open.get(id);
    if (inc?.quietSince === null) return id;
    return this.significant(c) ? id : undefined;
  }

  /**
   * The open incident a cluster continues: the one holding most of its symptoms, provided they are
   * most of the cluster (the same failure, re-explained) or the cluster explains that incident's
   * top cause (late evidence found something upstream of it). A cluster that merely shares a few
   * cascaded symptoms with an incident is another cause: it opens its own.
   */
  private mostOverlapping(c: Cluster): string | undefined {
    const votes = new Map<string, number>();
    for (const s of c.symptoms) {
      const id = this.bySymptom.get(s.id);
      if (id !== undefined && this.open.has(id)) votes.set(id, (votes.get(id) ?? 0) + s.weight);
    }
    let best: string | undefined;
    let bestVotes = 0;
    for (const [id, inc] of this.open) {
      const v = votes.get(id) ?? 0;
      if (v === 0 || v <= bestVotes) continue;
      const top = inc.structural[0];
      if (2 * v >= c.weight || c.via.has(top.key) || isWeak(top)) [best, bestVotes] = [id, v];
    }
    return best;
  }

  /**
   * An instance reporting itself down while an open incident holds its failures is a consequence
   * of that incident. Anything else the instance shows (it cannot be reached, a dependency of its
   * own fails) is news, and gets an incident of its own.
   */
  private affecting(c: Cluster): string | undefined {
    if (!this.significant(c) || entityKind(c.key) !== 'instance') return undefined;
    if (c.symptoms.some((s) => s.kind !== 'self')) return undefined;
    for (const inc of this.open.values())
      if (inc.quietSince === null && inc.instances.has(c.key)) return inc.id;
    return undefined;
  }

  private create(c: Cluster, at: number, rank: Ranker): IncidentRec {
    const structural = rank(c, []);
    const first = [...c.symptoms].sort((a, b) => a.since - b.since || compare(a.id, b.id))[0];
    const inc: IncidentRec = {
      id: `inc-${at.toString(36)}-${fnv1a(c.key)}`,
      openedAt: at,
      firstEvidenceAt: c.firstAt,
      structural,
      causes: structural,
      watched: [],
      changesSeen: -1,
      localTo: null,
      noted: new Map(),
      services: new Set(),
      instances: new Set(),
      symptoms: new Set(),
      roots: [],
      held: new Set(),
      peakWeight: c.weight,
      signature: '',
      quietSince: null,
      peakCount: 0,
      halfAt: at,
      cycles: 1,
      longestUpMs: 0,
      severity: severityOf(c.symptoms),
      lostSight: 0,
      timeline: [{ at: first.since, what: `first evidence: ${describe(first)}` }],
    };
    this.attach(inc, [c], [], at);
    this.explain(inc, true);
    const top = inc.causes[0];
    inc.timeline.push({ at, what: `opened: ${top.key} (${top.summary})`, topCause: top.key });
    inc.signature = signature(inc);
    this.open.set(inc.id, inc);
    return inc;
  }

  /** Re-reads an incident's clusters; returns whether anything a client sees changed. */
  private update(
    inc: IncidentRec,
    attached: Cluster[],
    pending: Symptom[],
    at: number,
    rank: Ranker,
  ): boolean {
    const top = inc.structural[0].key;
    const shownTop = inc.causes[0].key;
    const current = attached.find((c) => c.key === top);
    const heaviest = [...attached].sort((a, b) => b.weight - a.weight || compare(a.key, b.key))[0];
    // Another root takes the top when it now explains more than the current top and at least half
    // of what the top explained at its peak, and either explains the top itself (the top is on its
    // path: late evidence found the upstream cause) or the top was only a weak, local explanation.
    // Stragglers of a recovery (a backend whose dependents have not re-reported yet) do not.
    // A top nothing explains any more (a mapping or alias renamed what failed) gives way to a root
    // explaining at least as much as it did at its peak.
    const takeover =
      heaviest !== undefined &&
      heaviest.key !== top &&
      heaviest.weight > (current?.weight ?? 0) &&
      2 * heaviest.weight >= inc.peakWeight &&
      (heaviest.via.has(top) ||
        isWeak(inc.structural[0]) ||
        (current === undefined && heaviest.weight >= inc.peakWeight));
    const primary = takeover ? heaviest : current;
    const ranked = primary !== undefined && (takeover || primary.weight >= inc.peakWeight);
    if (ranked) {
      const causes = rank(
        primary,
        attached.filter((c) => c !== primary),
      );
      if (!takeover)
        for (const clause of newClauses(inc.structural[0].summary, causes[0].summary))
          inc.timeline.push({ at, what: `${top}: ${clause}` });
      inc.structural = causes;
      inc.peakWeight = takeover ? primary.weight : Math.max(inc.peakWeight, primary.weight);
    }
    this.attach(inc, attached, pending, at);
    if (ranked || inc.changesSeen !== (this.changes?.version ?? -1)) this.explain(inc, ranked);
    const now = inc.causes[0];
    // The top changes when another root takes over, or when a change comes to explain the root.
    if (now.key !== shownTop)
      inc.timeline.push({
        at,
        what: `re-ranked: ${now.key} now first (was ${shownTop}): ${now.summary}`,
        topCause: now.key,
      });
    const sig = signature(inc);
    if (sig === inc.signature) return false;
    inc.signature = sig;
    return true;
  }

  /**
   * Adds the changes that bear on the incident to its structural ranking (see ChangeEvidence).
   * `ranked`: the structural ranking was just computed, so judgements of the state are fresh.
   */
  private explain(inc: IncidentRec, ranked: boolean): void {
    if (!this.changes) {
      inc.causes = inc.structural;
      return;
    }
    const { causes, watched, localTo } = this.changes.attribute(inc.structural, {
      onset: inc.firstEvidenceAt,
      services: inc.services,
      instances: inc.instances,
      ...(ranked ? {} : { localTo: inc.localTo }),
    });
    inc.causes = causes;
    inc.localTo = localTo;
    inc.watched = watched;
    inc.changesSeen = this.changes.version;
    for (const cause of causes)
      for (const ref of [...(cause.change ? [cause.change] : []), ...(cause.changes ?? [])])
        if (!inc.noted.has(ref.id)) inc.noted.set(ref.id, ref.status);
  }

  /**
   * Records on the timelines of the open incidents what changed since the last evaluation: a
   * change they name whose status moved (rolled back, failed), and a change on an entity they
   * watch that started after their symptoms began (a rollback, a fix, another deploy); a quiet
   * incident's causes are read again (a change's new status). Returns the ids of the incidents
   * whose timeline or causes moved. O(open incidents × watched) when the change log
   * moved, else O(1).
   */
  private noteChanges(at: number): string[] {
    if (!this.changes || this.changes.version === this.changesNoted) return [];
    this.changesNoted = this.changes.version;
    const touched: string[] = [];
    for (const inc of this.open.values()) {
      const before = inc.timeline.length;
      for (const c of this.changes.startedAfter(
        inc.watched,
        inc.firstEvidenceAt + CHANGE_CLOCK_SKEW_MS,
      )) {
        if (inc.noted.has(c.id)) continue;
        inc.noted.set(c.id, c.status);
        inc.timeline.push({ at: c.startedAt, what: laterChange(c), change: changeRef(c) });
      }
      for (const [id, status] of inc.noted) {
        const now = this.changes.get(id);
        if (!now || now.status === status) continue;
        inc.noted.set(id, now.status);
        inc.timeline.push({
          at,
          what: `change ${id} on ${now.entity} is now ${now.status}`,
          change: changeRef(now),
        });
      }
      // A quiet incident is not re-ranked (nothing attaches to it): read its changes here.
      let moved = false;
      if (inc.quietSince !== null) {
        this.explain(inc, false);
        const sig = signature(inc);
        moved = sig !== inc.signature;
        inc.signature = sig;
      }
      if (moved || inc.timeline.length > before) touched.push(inc.id);
    }
    return touched;
  }

  private attach(inc: IncidentRec, attached: Cluster[], pending: Symptom[], at: number): void {
    inc.symptoms = new Set();
    if (attached.length > 0) {
      inc.roots = attached.map((c) => c.key);
      inc.held = new Set(inc.roots);
      // Services on a path are not held: one instance's own failure must not pass for its service's.
      for (const c of attached)
        for (const v of c.via.keys()) if (entityKind(v) !== 'service') inc.held.add(v);
    }
    if (
      inc.severity === 'warning' &&
      (attached.some((c) => severityOf(c.symptoms) === 'critical') ||
        severityOf(pending) === 'critical')
    ) {
      inc.severity = 'critical';
      inc.timeline.push({ at, what: 'escalated: from warnings to failures' });
    }
    const add = (s: Symptom) => {
      inc.symptoms.add(s.id);
      inc.instances.add(s.inst.key);
      inc.services.add(s.inst.service);
    };
    for (const c of attached) c.symptoms.forEach(add);
    pending.forEach(add);
    const lost = pending.filter((s) => s.kind === 'stale');
    if (lost.length > inc.lostSight) {
      const names = lost.slice(0, 3).map((s) => s.inst.key);
      const more = lost.length > 3 ? ` and ${lost.length - 3} more` : '';
      inc.timeline.push({
        at,
        what: `lost sight of ${lost.length} instance${lost.length === 1 ? '' : 's'} (${names.join(', ')}${more}): stopped reporting while failing; their last failures stand until they report again`,
      });
    }
    inc.lostSight = lost.length;
    inc.peakCount = Math.max(inc.peakCount, inc.symptoms.size);
    if (2 * inc.symptoms.size >= inc.peakCount) inc.halfAt = at;
  }
}

/** Folds `other`'s evidence into `keeper` (same top cause). */
function absorb(keeper: IncidentRec, other: IncidentRec): void {
  for (const id of other.symptoms) keeper.symptoms.add(id);
  for (const k of other.instances) keeper.instances.add(k);
  for (const k of other.services) keeper.services.add(k);
  for (const k of other.held) keeper.held.add(k);
  keeper.roots = [...new Set([...keeper.roots, ...other.roots])];
  keeper.firstEvidenceAt = Math.min(keeper.firstEvidenceAt, other.firstEvidenceAt);
  keeper.peakWeight = Math.max(keeper.peakWeight, other.peakWeight);
  keeper.peakCount = Math.max(keeper.peakCount, keeper.symptoms.size);
  if (other.severity === 'critical') keeper.severity = 'critical';
  if (keeper.symptoms.size > 0) keeper.quietSince = null;
}

/** A cause that more evidence may legitimately replace: a single instance, or low confidence. */
function isWeak(cause: RootCause): boolean {
  return cause.kind === 'instance' || cause.kind === 'service' || cause.confidence < 0.5;
}

const STRONG_CLAUSES = ['it reports itself down', 'it stopped reporting'];

function newClauses(before: string, after: string): string[] {
  return STRONG_CLAUSES.filter((c) => after.includes(c) && !before.includes(c));
}

/** Warnings alone are a warning; anything failing or silent is critical. O(symptoms). */
function severityOf(symptoms: readonly Symptom[]): 'warning' | 'critical' {
  return symptoms.some((s) => s.kind !== 'warn') ? 'critical' : 'warning';
}

const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;

function describe(s: Symptom): string {
  if (s.kind === 'warn') return `${s.inst.key} reported ${s.check?.targetKey} degraded (warn)`;
  if (s.kind === 'stale') return `${s.inst.key} stopped reporting`;
  if (s.kind === 'self') return `${s.inst.key} reported itself down`;
  return `${s.inst.key} failed its check of ${s.check?.targetKey}`;
}

/** "change while open: rolled-back deploy v2.3.0 of service:billing (ci): roll back 2.3.1" */
function laterChange(c: Change): string {
  const version = c.version ? ` ${c.version}` : '';
  const source = c.source ? ` (${c.source})` : '';
  const summary = c.summary ? `: ${c.summary}` : '';
  return `change while open: ${c.status} ${c.kind}${version} of ${c.entity}${source}${summary}`;
}

const refState = (r: ChangeRef): string => `${r.id}:${r.status}`;

function signature(inc: IncidentRec): string {
  return `${inc.causes.map((c) => `${c.key}|${c.confidence}|${c.summary}|${(c.changes ?? []).map(refState).join(',')}|${c.change ? refState(c.change) : ''}`).join('\n')}\n${inc.instances.size}/${inc.services.size}/${inc.severity}/${inc.cycles}/${inc.lostSight}`;
}

function snapshot(
  inc: IncidentRec,
  status: 'open' | 'resolved',
  resolvedAt: number | null,
): Incident {
  const timeline = inc.timeline.map((e) =>
    e.change ? { ...e, change: { ...e.change } } : { ...e },
  );
  return {
    id: inc.id,
    status,
    openedAt: inc.openedAt,
    resolvedAt,
    firstEvidenceAt: inc.firstEvidenceAt,
    rootCauses: inc.causes.map(copyCause),
    affected: { services: [...inc.services].sort(), instances: [...inc.instances].sort() },
    timeline,
    severity: inc.severity,
    flapping: inc.cycles > 1,
    cycles: inc.cycles,
  };
}

function copyCause(c: RootCause): RootCause {
  const copy: RootCause = { ...c };
  if (c.change) copy.change = { ...c.change };
  if (c.changes) copy.changes = c.changes.map((r) => ({ ...r }));
  return copy;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** 32-bit FNV-1a, hex: short deterministic ids. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
