import { entityKind } from '@faultline/reports';
import type { TopologyGraph } from '@faultline/topology';

import { INTAKE_KEY } from './engine.model';
import type { EngineState } from './engine-state';
import type { InstanceRec } from './records';
import type { Cluster } from './symptoms';

/** What the evidence says about one candidate. */
export interface Evidence {
  /** Share of the candidate's dependents (or members) showing the failure, in [0, 1]. */
  support: number;
  /** Independent witnesses: more of them, less chance of coincidence. */
  witnesses: number;
  summary: string;
  /** The most confidence this kind of evidence can give (a shared name is not an address). */
  maxConfidence?: number;
}

/**
 * A shared name is weaker evidence than a shared address: two services' "db" may be two
 * databases that failed together for another reason (their network, a deploy).
 */
const SHARED_NAME_MAX_CONFIDENCE = 0.6;
const COMPONENT_PREFIX = 'backend:component://';

const seconds = (ms: number): string =>
  ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.max(0, Math.round(ms / 1000))} s`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Reads the current state into per-candidate evidence and a one-line summary a person on call
 * can check ("18 of 18 dependents lost it within 4 s; it reports itself down").
 * Counts are of live checks (a dependent checking a backend twice counts twice).
 * Complexity: backend O(failing checks); host O(instances on it); zone O(hosts in it); others O(1)
 * besides the cluster, which the caller already holds.
 */
export class EvidenceReader {
  constructor(
    private readonly state: EngineState,
    private readonly topology: TopologyGraph,
  ) {}

  describe(key: string, cluster: Cluster): Evidence {
    if (key === INTAKE_KEY) return this.intake(cluster);
    switch (entityKind(key)) {
      case 'backend':
        return this.backend(key, cluster);
      case 'host':
        return this.host(key, cluster);
      case 'zone':
        return this.zone(key, cluster);
      case 'service':
        return this.service(key);
      case 'instance':
        return this.instance(key, cluster);
      default:
        return { support: 0, witnesses: 0, summary: 'unknown entity' };
    }
  }

  /** Where the root lives, as further candidates: the server's host and zone, an instance's host and service. */
  containers(key: string): string[] {
    const kind = entityKind(key);
    if (kind === 'instance') {
      const inst = this.state.instances.get(key);
      return inst ? [inst.host, inst.serviceKey].filter((k): k is string => k !== null) : [];
    }
    if (kind === 'host') {
      const zone = this.state.hosts.get(key)?.zone;
      return zone ? [zone] : [];
    }
    if (kind === 'backend') {
      const server = this.topology
        .serving(key)
        .servers.map((s) => this.state.instances.get(s))
        .find((i) => i !== undefined);
      return server ? [server.host, server.zone].filter((k): k is string => k !== null) : [];
    }
    return [];
  }

  private backend(b: string, cluster: Cluster): Evidence {
    if (b.startsWith(COMPONENT_PREFIX)) {
      const namesakes = this.state.namesakes.get(b.slice(COMPONENT_PREFIX.length));
      if (namesakes && [...cluster.targets.keys()].some((t) => namesakes.has(t)))
        return this.sharedName(b.slice(COMPONENT_PREFIX.length), namesakes, cluster);
    }
    const rec = this.state.backends.get(b);
    const deps = rec?.checks ?? 0;
    let failing = 0;
    let first = Infinity;
    let last = -Infinity;
    for (const c of rec?.failing ?? []) {
      failing++;
      if (c.since < first) first = c.since;
      if (c.since > last) last = c.since;
    }
    const servers = this.topology
      .serving(b)
      .servers.map((s) => this.state.instances.get(s))
      .filter((i): i is InstanceRec => i !== undefined);
    const self = servers.filter((i) => i.selfDown).length;
    const silent = servers.filter((i) => i.silent || i.stale).length;
    const warning = rec?.warning.size ?? 0;
    const parts = [
      failing > 0
        ? `${failing} of ${plural(deps, 'dependent')} lost it within ${seconds(last - first)}`
        : warning > 0
          ? `${warning} of ${plural(deps, 'dependent')} report it degraded (warn), none lost it`
          : `none of its ${plural(deps, 'dependent')} fail it`,
    ];
    if (failing > 0 && warning > 0) parts.push(`${warning} more report it degraded`);
    const unseen = rec?.unknownFailing ?? 0;
    if (unseen > 0) parts.push(`${unseen} of them no longer report it (last seen failing)`);
    if (servers.length > 0 && 2 * self > servers.length) parts.push('it reports itself down');
    else if (servers.length > 0 && 2 * silent > servers.length) parts.push('it stopped reporting');
    const through = this.viaSummary(cluster, b);
    if (through) parts.push(through);
    const selfish = 2 * (self + silent) > servers.length && servers.length > 0;
    const support =
      deps > 0 && failing + warning > 0 ? (failing + warning) / deps : selfish ? 0.6 : 0;
    return {
      support,
      witnesses: Math.max(1, failing + warning) + (selfish ? 2 : 0),
      summary: parts.join('; '),
    };
  }

  /**
   * Services that each lost a dependency they call by the same name, at the same moment: "5
   * services lost the dependency each calls "redis" within 2 s". Only the name links them, so
   * the summary says how to confirm it. O(failing checks of the namesakes).
   */
  private sharedName(name: string, namesakes: ReadonlySet<string>, cluster: Cluster): Evidence {
    const services = new Set<string>();
    let checks = 0;
    let failing = 0;
    let first = Infinity;
    let last = -Infinity;
    for (const b of namesakes) {
      const rec = this.state.backends.get(b);
      if (!rec || !cluster.targets.has(b)) continue;
      checks += rec.checks;
      for (const c of rec.failing) {
        failing++;
        services.add(c.inst.service);
        if (c.since < first) first = c.since;
        if (c.since > last) last = c.since;
      }
    }
    return {
      support: checks > 0 ? failing / checks : 0,
      witnesses: services.size,
      maxConfidence: SHARED_NAME_MAX_CONFIDENCE,
      summary: `${plural(services.size, 'service')} lost the dependency each calls "${name}" within ${seconds(last - first)}; only the name links them: map "${name}" to its address (PUT /api/v1/mappings/${name}) to confirm`,
    };
  }

  private host(h: string, cluster: Cluster): Evidence {
    const rec = this.state.hosts.get(h);
    const n = rec?.instances.size ?? 0;
    const silent = rec?.silent ?? 0;
    const parts = [`${silent} of ${plural(n, 'instance')} on it stopped reporting`];
    const failing = this.failingPart(cluster);
    if (failing) parts.push(failing.text);
    return {
      support: n > 0 ? silent / n : 0,
      witnesses: silent + (failing?.count ?? 0),
      summary: parts.join('; '),
    };
  }

  private zone(z: string, cluster: Cluster): Evidence {
    const rec = this.state.zones.get(z);
    if (cluster.key === z && (rec?.silent ?? 0) === 0 && cluster.targets.size > 0)
      return this.partition(z, cluster);
    const n = rec?.instances ?? 0;
    const silent = rec?.silent ?? 0;
    let silentHosts = 0;
    for (const h of rec?.hosts ?? []) if ((this.state.hosts.get(h)?.silent ?? 0) > 0) silentHosts++;
    const parts = [
      `${silent} of ${plural(n, 'instance')} in it stopped reporting, on ${silentHosts} of ${plural(rec?.hosts.size ?? 0, 'host')}`,
    ];
    const failing = this.failingPart(cluster);
    if (failing) parts.push(failing.text);
    return {
      support: n > 0 ? silent / n : 0,
      witnesses: silentHosts + (failing?.count ?? 0),
      summary: parts.join('; '),
    };
  }

  /**
   * A zone whose instances lost backends that other zones still reach: "the 14 instances in az2
   * lost 4 backends that 31 dependents in az1, az3 still reach". O(targets × zones).
   */
  private partition(z: string, cluster: Cluster): Evidence {
    const instances = new Set<string>();
    for (const s of cluster.symptoms) instances.add(s.inst.key);
    let inZone = 0;
    let reaching = 0;
    const elsewhere = new Set<string>();
    for (const b of cluster.targets.keys()) {
      const rec = this.state.backends.get(b);
      if (!rec) continue;
      inZone += rec.zoneChecks.get(z) ?? 0;
      let failingOutside = 0;
      for (const c of rec.failing) if (c.inst.zone !== z) failingOutside++;
      reaching += rec.checks - (rec.zoneChecks.get(z) ?? 0) - failingOutside;
      for (const [other, n] of rec.zoneChecks)
        if (other !== z && other !== '' && n > 0) elsewhere.add(other);
    }
    const names = [...elsewhere].sort().map((k) => k.slice('zone:'.length));
    const k = cluster.targets.size;
    return {
      support: inZone > 0 ? Math.min(1, cluster.checkCount / inZone) : 0,
      witnesses: k + 1,
      summary: `the ${plural(instances.size, 'instance')} in ${z.slice('zone:'.length)} lost ${plural(k, 'backend')} that ${plural(reaching, 'dependent')} in ${names.join(', ') || 'other zones'} still reach`,
    };
  }

  /** Every instance silent at once: Faultline is cut off, not the whole fleet down. O(symptoms). */
  private intake(cluster: Cluster): Evidence {
    const s = this.state;
    const zones = new Set<string>();
    let last = -Infinity;
    for (const sym of cluster.symptoms) {
      if (sym.inst.zone) zones.add(sym.inst.zone);
      if (sym.since > last) last = sym.since;
    }
    const n = s.instances.size;
    return {
      support: n > 0 ? s.silentCount / n : 0,
      witnesses: Math.max(1, zones.size),
      summary: `${s.silentCount} of ${plural(n, 'instance')} in ${plural(s.zones.size, 'zone')} stopped reporting within ${seconds(last - cluster.firstAt)}: the path from the fleet to Faultline is cut, not every zone at once`,
    };
  }

  private service(s: string): Evidence {
    const rec = this.state.services.get(s);
    const n = rec?.instances.size ?? 0;
    let failing = 0;
    for (const inst of rec?.instances ?? []) if (inst.failingTargeted > 0 && !inst.stale) failing++;
    const silent = rec?.silent ?? 0;
    const self = rec?.selfDown ?? 0;
    const top = Math.max(silent, self, failing);
    const summary =
      top === 0
        ? `all ${plural(n, 'instance')} healthy`
        : top === silent
          ? `${silent} of ${plural(n, 'instance')} stopped reporting`
          : top === self
            ? `${self} of ${plural(n, 'instance')} report themselves down`
            : `${failing} of ${plural(n, 'instance')} fail a dependency`;
    return { support: n > 0 ? top / n : 0, witnesses: top, summary };
  }

  private instance(i: string, cluster: Cluster): Evidence {
    const inst = this.state.instances.get(i);
    if (!inst) return { support: 0, witnesses: 0, summary: 'never reported' };
    const interval = this.state.intervalOf(inst);
    if (inst.stale) {
      const missed = Math.floor((inst.staleSince - inst.lastSeen) / interval + 1e-9);
      return {
        support: 0.8,
        witnesses: 2,
        summary: `stopped reporting: missed ${missed} of its ${seconds(interval)} intervals`,
      };
    }
    const check =
      cluster.symptoms.find((s) => s.inst === inst && s.check !== null)?.check ??
      [...inst.checks.values()].find((c) => c.status === 'fail' && c.targetKey !== null);
    if (check && check.targetKey !== null) {
      const rec = this.state.backends.get(check.targetKey);
      const others = (rec?.checks ?? 1) - 1;
      const ok = others - ((rec?.failing.size ?? 1) - 1);
      const summary = `fails its check of ${check.targetKey} (${plural(check.run, 'report')} in a row) while ${ok} of ${plural(others, 'other dependent')} reach it`;
      return { support: others > 0 ? ok / others : 0.5, witnesses: check.run, summary };
    }
    if (inst.selfDown)
      return {
        support: 0.7,
        witnesses: inst.selfRun,
        summary: `reports itself down (${plural(inst.selfRun, 'report')} in a row)`,
      };
    return {
      support: 0.2,
      witnesses: 1,
      summary: inst.silent ? 'missed its last report' : 'reports healthy',
    };
  }

  /** "k failing checks of m backends depending on it" for a host or zone cluster. O(1). */
  private failingPart(cluster: Cluster): { text: string; count: number } | null {
    const count = cluster.checkCount;
    if (count === 0) return null;
    return {
      text: `${plural(count, 'failing check')} of ${plural(cluster.targets.size, 'backend')} depending on it`,
      count,
    };
  }

  /** "also explains 12 failing checks through service:b" when the cluster reached the root through others. O(via). */
  private viaSummary(cluster: Cluster, root: string): string | null {
    const n = cluster.checkCount - (cluster.targetCounts.get(root) ?? 0);
    if (n === 0) return null;
    const through: string[] = [];
    const backends: string[] = [];
    for (const k of cluster.via.keys()) {
      if (k === root) continue;
      if (entityKind(k) === 'backend') backends.push(k);
      else through.push(k);
    }
    if (backends.length + through.length === 0) return null;
    const names = (through.length > 0 ? through : backends).sort().slice(0, 2).join(', ');
    return `explains ${plural(n, 'failing check')} of its dependents' dependents (through ${names})`;
  }
}
