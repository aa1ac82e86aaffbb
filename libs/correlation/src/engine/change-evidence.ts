import type { Change } from '@faultline/changes';
import { entityKind } from '@faultline/reports';
import type { TopologyGraph } from '@faultline/topology';

import { changeKey, type ChangeLog, changeRef } from './change-log';
import type { ChangeRef, RootCause } from './engine.model';
import type { EngineState } from './engine-state';

/**
 * A change that started up to this long after the first symptom still counts as before it:
 * a deploy tool's clock and the fleet's clocks disagree by a few seconds, and a change posted
 * with the time the pipeline started it may be stamped a little late.
 */
export const CHANGE_CLOCK_SKEW_MS = 30_000;

/** What the change reader needs to know of an incident. */
export interface IncidentFacts {
  /** Event time of its earliest symptom: only changes before it (plus the skew) explain it. */
  onset: number;
  /** Affected service names and instance keys. */
  services: ReadonlySet<string>;
  instances: ReadonlySet<string>;
  /**
   * For a backend root: the one service whose instances alone failed it while its servers
   * reported well, as judged when the root was last ranked (at its peak: a recovering backend's
   * stragglers must not pass for one service's trouble). Undefined: judge from the state now.
   */
  localTo?: string | null;
}

export interface Attribution {
  /** The structural ranking with the changes added: a change first when it explains the root. */
  causes: RootCause[];
  /** Entities whose later changes belong on the incident's timeline (a rollback, a new deploy). */
  watched: string[];
  /** The judgement of IncidentFacts.localTo used, to pass back until the root is ranked again. */
  localTo: string | null;
}

/** How each kind of change reads in a summary: "billing deployed v2.3.1", "reconfigured 2 min before". */
const VERB: Record<Change['kind'], string> = {
  deploy: 'deployed',
  config: 'reconfigured',
  scale: 'scaled',
  infra: 'changed (infra)',
  flag: 'had a flag flipped',
  other: 'changed',
};

/** How much a change on the root's own entity or its upstream can raise the root's confidence (when closest). */
const EVIDENCE_BOOST = 0.1;
/** How far a change that explains the root ranks above it (when closest), and its least margin. */
const TOP_MARGIN = 0.05;
const TOP_MIN_MARGIN = 0.02;

/** Dependents of other services that must still reach a backend for one service's failing calls to be its own. */
const OTHERS_REACHING = 2;

const round = (x: number): number => Math.round(Math.min(0.99, Math.max(0.01, x)) * 100) / 100;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const duration = (ms: number): string =>
  ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.max(0, Math.round(ms / 1000))} s`;
const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 19);
const nameOf = (key: string): string => key.slice(key.indexOf(':') + 1);

/**
 * Reads the recent changes into an incident's ranking: which change bears on it, and whether one
 * explains it better than the failing entity does.
 *
 * Contract: a change on entity X that started at T bears on an incident whose first symptom came
 * at onset when onset − windowMs ≤ T ≤ onset + CHANGE_CLOCK_SKEW_MS (a change after the symptoms
 * began never explains them; the skew allows for clocks), and X is
 *   upstream of the structural root R: R itself; for an instance its service, host and zone; for
 *   a host its zone; for a backend what serves it (owner, server instances, their service, host
 *   and zone); for a service or instance, the backends its own failing checks point at (with
 *   what serves them). Such a change is
 *   evidence: the root's summary says so ("reconfigured 2 min before (config v42, ci)"), its
 *   `changes` lists it, and its confidence rises a little (more when closer);
 *   or an affected service downstream of R: then it is an alternative cause of its own
 *   (`change:<id>`), weighed by the share of the affected instances that are the service's.
 * A change becomes the top cause (`change:<id>`, the structural root right behind it) only when
 * R is that service's own failure: R is the changed service or instance; or R is an instance of
 * the changed service and most of its instances are affected; or R is a backend served by it
 * (its owner; or its servers, all of them its instances, most of which are affected), or a
 * backend only its instances failed while its servers reported well (judged when the root was
 * ranked, at its peak: see IncidentFacts.localTo). A backend its dependents lost stays the top
 * cause, with the change as evidence. Among
 * several candidates the most recent wins.
 * Deterministic: candidates ordered by start time then id. Complexity: O(|upstream| + affected
 * services + changes on them) per call; nothing at all while no change is kept.
 */
export class ChangeEvidence {
  constructor(
    private readonly log: ChangeLog,
    private readonly state: EngineState,
    private readonly topology: TopologyGraph,
    private readonly windowMs: number,
    private readonly max: number,
    private readonly majority: number,
  ) {}

  get version(): number {
    return this.log.version;
  }

  /** The oldest start a change may have to bear on an incident whose first symptom came at `onset`. */
  reach(onset: number): number {
    return onset - this.windowMs;
  }

  attribute(structural: readonly RootCause[], facts: IncidentFacts): Attribution {
    if (structural.length === 0) return { causes: [], watched: [], localTo: null };
    const root = structural[0];
    const upstream = this.upstreamOf(root.key);
    const localTo =
      facts.localTo !== undefined ? facts.localTo : this.failedOnlyByOneService(root.key);
    facts = { ...facts, localTo };
    // Watched even while no change is kept: the first may be the rollback.
    if (this.log.size === 0) return { causes: [...structural], watched: [...upstream], localTo };
    const evidence: Change[] = [];
    const tops: Change[] = [];
    const downstream: Change[] = [];
    for (const entity of upstream)
      for (const c of this.inWindow(entity, facts.onset)) {
        if (this.explainsRoot(c, root.key, facts)) tops.push(c);
        else evidence.push(c);
      }
    for (const s of facts.services) {
      const entity = `service:${s}`;
      if (upstream.has(entity)) continue;
      for (const c of this.inWindow(entity, facts.onset)) {
        if (this.explainsRoot(c, root.key, facts)) tops.push(c);
        else downstream.push(c);
      }
    }
    if (tops.length + evidence.length + downstream.length === 0)
      return { causes: [...structural], watched: [...upstream], localTo };
    tops.sort(mostRecentFirst);
    evidence.sort(mostRecentFirst);
    const top = tops[0];
    const bearing = [...tops, ...evidence].sort(mostRecentFirst);
    const rooted: RootCause = { ...root };
    if (bearing.length > 0) rooted.changes = bearing.map(changeRef);
    if (!top && evidence.length > 0) {
      const c = evidence[0];
      const closeness = this.closeness(c, facts.onset);
      const more = evidence.length > 1 ? `, and ${plural(evidence.length - 1, 'more change')}` : '';
      rooted.summary = `${root.summary}; ${this.evidenceClause(c, root.key, facts.onset)}${more}`;
      rooted.confidence = round(
        root.confidence + EVIDENCE_BOOST * closeness * (1 - root.confidence),
      );
    }
    const alternatives: RootCause[] = structural.slice(1).map((c) => ({ ...c }));
    for (const c of downstream) alternatives.push(this.downstreamCause(c, rooted, facts));
    alternatives.sort(byConfidence);
    const causes = top
      ? [this.topCause(top, rooted, facts), rooted, ...alternatives]
      : [rooted, ...alternatives];
    const watched = new Set(upstream);
    if (top) watched.add(top.entity);
    return { causes: causes.slice(0, this.max), watched: [...watched], localTo };
  }

  /** Changes on `entities` that started after `from`, oldest first (for the timeline). */
  startedAfter(entities: Iterable<string>, from: number): Change[] {
    const out: Change[] = [];
    for (const e of new Set(entities))
      for (const c of this.log.on(e)) if (c.startedAt > from) out.push(c);
    return out.sort((a, b) => -mostRecentFirst(a, b));
  }

  get(id: string): Change | undefined {
    return this.log.get(id);
  }

  private inWindow(entity: string, onset: number): Change[] {
    return this.log
      .on(entity)
      .filter(
        (c) => c.startedAt <= onset + CHANGE_CLOCK_SKEW_MS && c.startedAt >= onset - this.windowMs,
      );
  }

  /** 1 for a change at the onset, falling linearly to 0 at the far end of the window. */
  private closeness(c: Change, onset: number): number {
    if (this.windowMs === 0) return 1;
    return Math.max(0, Math.min(1, 1 - (onset - c.startedAt) / this.windowMs));
  }

  /** Where the root lives and what it depends on: the entities whose changes are its evidence. */
  private upstreamOf(root: string): Set<string> {
    const out = new Set<string>([root]);
    const addInstance = (key: string) => {
      out.add(key);
      const inst = this.state.instances.get(key);
      if (!inst) return;
      out.add(inst.serviceKey);
      if (inst.host) out.add(inst.host);
      if (inst.zone) out.add(inst.zone);
    };
    const addBackend = (key: string) => {
      out.add(key);
      const serving = this.topology.serving(key);
      if (serving.owner) out.add(serving.owner);
      for (const s of serving.servers) addInstance(s);
    };
    switch (entityKind(root)) {
      case 'instance':
        addInstance(root);
        this.failingTargetsOf([root]).forEach(addBackend);
        break;
      case 'service':
        this.failingTargetsOf(
          [...(this.state.services.get(root)?.instances ?? [])].map((i) => i.key),
        ).forEach(addBackend);
        break;
      case 'host': {
        const zone = this.state.hosts.get(root)?.zone;
        if (zone) out.add(zone);
        break;
      }
      case 'backend':
        addBackend(root);
        break;
      default:
        break;
    }
    return out;
  }

  /** What the root's own instances fail to reach: the backends it depends on that it lost. */
  private failingTargetsOf(instances: readonly string[]): Set<string> {
    const out = new Set<string>();
    for (const key of instances)
      for (const c of this.state.instances.get(key)?.checks.values() ?? [])
        if (c.status === 'fail' && c.targetKey !== null) out.add(c.targetKey);
    return out;
  }

  /** Whether the root is the changed entity's own failure (see the class comment). */
  private explainsRoot(c: Change, root: string, facts: IncidentFacts): boolean {
    const x = c.entity;
    const rootKind = entityKind(root);
    const changedKind = entityKind(x);
    if (x === root) return rootKind === 'service' || rootKind === 'instance';
    if (changedKind === 'service') {
      if (rootKind === 'instance')
        return this.state.instances.get(root)?.serviceKey === x && this.mostlyAffected(x, facts);
      if (rootKind !== 'backend') return false;
      const serving = this.topology.serving(root);
      if (serving.owner === x) return true;
      const servers = serving.servers.map((s) => this.state.instances.get(s));
      if (servers.length > 0 && servers.every((i) => i?.serviceKey === x))
        return this.mostlyAffected(x, facts);
      return facts.localTo === x;
    }
    if (changedKind === 'instance' && rootKind === 'backend') {
      const servers = this.topology.serving(root).servers;
      return servers.length === 1 && servers[0] === x;
    }
    return false;
  }

  /** More than `majority` of the service's instances are among the incident's. */
  private mostlyAffected(service: string, facts: IncidentFacts): boolean {
    const { affected, total } = this.affectedOf(service, facts);
    return total > 0 && affected > this.majority * total;
  }

  private affectedOf(service: string, facts: IncidentFacts): { affected: number; total: number } {
    const rec = this.state.services.get(service);
    let affected = 0;
    for (const inst of rec?.instances ?? []) if (facts.instances.has(inst.key)) affected++;
    return { affected, total: rec?.instances.size ?? 0 };
  }

  /**
   * The one service whose instances are all the backend's failing dependents (2 or more), while
   * none of its servers reports itself down or fell silent and dependents of other services still
   * reach it: the backend is fine, that service's calls to it are not. Null otherwise, and for a
   * root that is not a backend. O(the backend's direct dependents × their checks), at ranking only.
   */
  private failedOnlyByOneService(root: string): string | null {
    if (entityKind(root) !== 'backend') return null;
    const rec = this.state.backends.get(root);
    if (!rec || rec.failing.size < 2) return null;
    let service: string | null = null;
    for (const check of rec.failing) {
      if (service !== null && check.inst.serviceKey !== service) return null;
      service = check.inst.serviceKey;
    }
    for (const s of this.topology.serving(root).servers) {
      const inst = this.state.instances.get(s);
      if (inst && (inst.selfDown || inst.silent || inst.stale)) return null;
    }
    // For it alone: other services still reach the backend. With no other dependent, the backend
    // and one service's calls to it cannot be told apart, and the backend stays the cause.
    let reaching = 0;
    for (const key of this.topology.impact(root).direct) {
      const inst = this.state.instances.get(key);
      if (!inst || inst.serviceKey === service || inst.stale) continue;
      for (const c of inst.checks.values())
        if (c.targetKey === root && c.known && c.status === 'pass') reaching++;
    }
    return reaching >= OTHERS_REACHING ? service : null;
  }

  private topCause(c: Change, root: RootCause, facts: IncidentFacts): RootCause {
    const closeness = this.closeness(c, facts.onset);
    const origin = [c.source, c.summary].filter((p) => p !== null && p !== '').join(': ');
    const head = `${nameOf(c.entity)} ${VERB[c.kind]}${c.version ? ` ${c.version}` : ''} at ${clock(c.startedAt)}${origin ? ` (${origin})` : ''}`;
    return {
      key: changeKey(c.id),
      kind: 'change',
      confidence: round(
        Math.max(root.confidence + TOP_MIN_MARGIN, root.confidence + TOP_MARGIN * closeness),
      ),
      summary: `${head}; ${this.failingSince(c, facts)}`,
      change: changeRef(c),
    };
  }

  /** "3 of 3 instances began failing 40 s later", from the service's (or instance's) point of view. */
  private failingSince(c: Change, facts: IncidentFacts): string {
    const gap = facts.onset - c.startedAt;
    const when =
      gap >= 0
        ? `${duration(gap)} later`
        : `${duration(-gap)} before it (within the ${duration(CHANGE_CLOCK_SKEW_MS)} allowed for clock skew)`;
    if (entityKind(c.entity) === 'service') {
      const { affected, total } = this.affectedOf(c.entity, facts);
      return `${affected} of ${plural(total, 'instance')} began failing ${when}`;
    }
    return `it began failing ${when}`;
  }

  /** "reconfigured 2 min before (config v42, ci)", or "its host node-3 changed (infra) 5 min before (…)". */
  private evidenceClause(c: Change, root: string, onset: number): string {
    const gap = onset - c.startedAt;
    const when =
      gap >= 0
        ? `${duration(gap)} before`
        : `${duration(-gap)} after the first symptom (clock skew?)`;
    const detail = [c.kind + (c.version ? ` ${c.version}` : ''), c.source]
      .filter((p): p is string => p !== null)
      .join(', ');
    const who = c.entity === root ? '' : `${entityKind(c.entity) ?? 'entity'} ${nameOf(c.entity)} `;
    return `${who}${VERB[c.kind]} ${when} (${detail})`;
  }

  /** A change on an affected service downstream of the root: an alternative, weighed by its share. */
  private downstreamCause(c: Change, root: RootCause, facts: IncidentFacts): RootCause {
    const { affected, total } = this.affectedOf(c.entity, facts);
    const share = facts.instances.size > 0 ? affected / facts.instances.size : 0;
    const closeness = this.closeness(c, facts.onset);
    const gap = facts.onset - c.startedAt;
    return {
      key: changeKey(c.id),
      kind: 'change',
      confidence: round(
        Math.min(root.confidence - 0.01, root.confidence * closeness * (0.2 + 0.5 * share)),
      ),
      summary: `${nameOf(c.entity)} ${VERB[c.kind]}${c.version ? ` ${c.version}` : ''} ${duration(Math.max(0, gap))} before the first symptom; ${affected} of its ${plural(total, 'instance')} are among the ${facts.instances.size} affected`,
      change: changeRef(c),
    };
  }
}

function mostRecentFirst(a: Change, b: Change): number {
  return b.startedAt - a.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function byConfidence(a: RootCause, b: RootCause): number {
  return b.confidence - a.confidence || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export type { ChangeRef };
