import { hostKey, instanceKey, serviceKey, zoneKey } from '@faultline/reports';
import { DirectedGraph } from 'graphology';

import { impactOf } from './impact';
import { neighbourhood } from './neighbourhood';
import { backendHost, candidateNames, type NameIndex, resolveServing } from './serving-resolver';
import type {
  EdgeAttributes,
  Impact,
  NodeAttributes,
  Relation,
  Serving,
  TopologyObservation,
} from './topology.model';

export type TopologyJson = ReturnType<DirectedGraph<NodeAttributes, EdgeAttributes>['export']>;

interface InstanceEntry {
  key: string;
  service: string;
  name: string;
  host: string | null;
  zone: string | null;
  targets: Set<string>;
}

/** Thrown for an alias whose servedBy is not an instance:, service: or host: key. */
export class InvalidAliasError extends Error {}

const edgeKey = (source: string, target: string): string => `${source}->${target}`;

/**
 * The dependency graph, learned from reports as they arrive (see topology.model.ts for the edges).
 * The only place that imports graphology. Pure: no I/O, no clock; same reports, same graph.
 *
 * Cost per report: O(c) for c checks, plus, when a report brings a name never seen before, a
 * re-resolution of the backends whose host carries that name (deferred to the next query, so a
 * burst of new instances of one service costs one resolution).
 */
export class TopologyGraph implements NameIndex {
  private readonly graph = new DirectedGraph<NodeAttributes, EdgeAttributes>({
    allowSelfLoops: false,
  });
  private readonly instances = new Map<string, InstanceEntry>();
  private readonly byName = new Map<string, string[]>();
  private readonly byService = new Map<string, string[]>();
  private readonly hosts = new Set<string>();
  private readonly aliases = new Map<string, string>();
  private readonly aliasesTo = new Map<string, Set<string>>();
  /** Backends by each candidate name of their host, to find what a newly seen name may serve. */
  private readonly backendsByName = new Map<string, Set<string>>();
  private readonly servings = new Map<string, Serving>();
  private readonly dirty = new Set<string>();

  /** Learns the nodes and edges a report shows; drops depends_on edges of targets it no longer checks. */
  observe(report: TopologyObservation): void {
    const key = instanceKey(report.service, report.instance);
    let entry = this.instances.get(key);
    if (!entry) {
      entry = {
        key,
        service: report.service,
        name: report.instance,
        host: null,
        zone: null,
        targets: new Set(),
      };
      this.instances.set(key, entry);
      push(this.byName, report.instance, key);
      push(this.byService, report.service, key);
      this.graph.mergeNode(key, { kind: 'instance', service: report.service });
      this.graph.mergeNode(serviceKey(report.service), { kind: 'service' });
      this.link(key, serviceKey(report.service), 'member_of');
      this.touchName(report.instance);
      this.touchName(report.service);
    }
    const zone = report.labels.zone ?? null;
    if (entry.host !== report.host) {
      if (entry.host !== null) this.unlink(key, hostKey(entry.host));
      entry.host = report.host;
      if (report.host !== null) {
        if (!this.hosts.has(report.host)) {
          this.hosts.add(report.host);
          this.graph.mergeNode(hostKey(report.host), { kind: 'host', zone: null });
          this.touchName(report.host);
        }
        this.link(key, hostKey(report.host), 'runs_on');
      }
      this.graph.mergeNodeAttributes(key, { host: report.host });
    }
    if (
      entry.zone !== zone ||
      (report.host !== null && this.graph.getNodeAttribute(hostKey(report.host), 'zone') !== zone)
    ) {
      entry.zone = zone;
      this.graph.mergeNodeAttributes(key, { zone });
      if (report.host !== null) this.placeHost(report.host, zone);
    }
    this.observeTargets(entry, report);
  }

  /** Declares that a backend is served by an entity (instance:, service: or host: key). */
  setAlias(targetKey: string, servedBy: string): void {
    if (!/^(instance|service|host):./.test(servedBy))
      throw new InvalidAliasError(
        `servedBy must be an instance:, service: or host: key, not ${servedBy}`,
      );
    const previous = this.aliases.get(targetKey);
    if (previous === servedBy) return;
    if (previous !== undefined) this.aliasesTo.get(previous)?.delete(targetKey);
    this.aliases.set(targetKey, servedBy);
    let set = this.aliasesTo.get(servedBy);
    if (!set) this.aliasesTo.set(servedBy, (set = new Set()));
    set.add(targetKey);
    this.ensureBackend(targetKey);
    this.dirty.add(targetKey);
  }

  /** What serves a backend (see resolveServing). */
  serving(backendKey: string): Serving {
    this.flush();
    return this.servings.get(backendKey) ?? resolveServing(backendKey, this);
  }

  /**
   * The entity an instance is the same thing as: the backend it alone serves (a broker reporting
   * its own health is that broker), else the instance itself. Lowest key when it serves several.
   */
  identityOf(instance: string): string {
    const owned = this.backendsOwnedBy(instance).filter(
      (b) => this.serving(b).servers.length === 1,
    );
    return owned.length > 0 ? owned[0] : instance;
  }

  /** Backends an instance serves by name or instance alias (service-wide endpoints excluded), sorted. */
  backendsOwnedBy(instance: string): string[] {
    const entry = this.instances.get(instance);
    const candidates = new Set<string>(this.aliasesTo.get(instance) ?? []);
    if (entry) for (const b of this.backendsByName.get(entry.name) ?? []) candidates.add(b);
    return [...candidates].filter((b) => this.serving(b).servers.includes(instance)).sort();
  }

  impact(key: string): Impact {
    this.flush();
    return impactOf(this.graph, key);
  }

  /** The whole graph in graphology's serialisation format (graph.export()). */
  export(): TopologyJson {
    this.flush();
    return this.graph.export();
  }

  /** Nodes within `depth` hops of `key` (either direction) and the edges between them, same format. */
  exportAround(key: string, depth: number): TopologyJson {
    this.flush();
    return neighbourhood(this.graph, key, depth);
  }

  hasNode(key: string): boolean {
    return this.graph.hasNode(key);
  }

  get order(): number {
    return this.graph.order;
  }

  get size(): number {
    return this.graph.size;
  }

  // NameIndex, used by resolveServing.
  alias(backendKey: string): string | undefined {
    return this.aliases.get(backendKey);
  }
  instancesNamed(name: string): readonly string[] {
    return this.byName.get(name) ?? [];
  }
  instancesOfService(service: string): readonly string[] {
    return this.byService.get(service) ?? [];
  }
  hasHost(host: string): boolean {
    return this.hosts.has(host);
  }

  private observeTargets(entry: InstanceEntry, report: TopologyObservation): void {
    const next = new Set<string>();
    for (const check of report.checks) if (check.targetKey !== null) next.add(check.targetKey);
    for (const b of entry.targets) {
      if (next.has(b)) continue;
      this.unlink(entry.key, b);
      this.calls(entry, this.currentServing(b), -1);
    }
    for (const b of next) {
      if (entry.targets.has(b)) continue;
      this.ensureBackend(b);
      this.link(entry.key, b, 'depends_on');
      this.calls(entry, this.currentServing(b), +1);
    }
    entry.targets = next;
  }

  private ensureBackend(b: string): void {
    if (this.graph.hasNode(b)) return;
    this.graph.addNode(b, { kind: 'backend' });
    const host = backendHost(b);
    for (const name of host === null ? [] : candidateNames(host)) {
      let set = this.backendsByName.get(name);
      if (!set) this.backendsByName.set(name, (set = new Set()));
      set.add(b);
    }
    this.dirty.add(b);
  }

  private placeHost(host: string, zone: string | null): void {
    const key = hostKey(host);
    const before = this.graph.getNodeAttribute(key, 'zone') ?? null;
    if (before === zone) return;
    if (before !== null) this.unlink(key, zoneKey(before));
    this.graph.setNodeAttribute(key, 'zone', zone);
    if (zone !== null) {
      this.graph.mergeNode(zoneKey(zone), { kind: 'zone' });
      this.link(key, zoneKey(zone), 'in_zone');
    }
  }

  private touchName(name: string): void {
    for (const b of this.backendsByName.get(name) ?? []) this.dirty.add(b);
  }

  /** The serving the edges currently reflect (pending re-resolutions are applied by flush). */
  private currentServing(b: string): Serving {
    return this.servings.get(b) ?? { via: 'none', owner: null, servers: [] };
  }

  /** Re-resolves backends whose names changed meaning, rewiring served_by and calls edges. */
  private flush(): void {
    if (this.dirty.size === 0) return;
    const pending = [...this.dirty].sort();
    this.dirty.clear();
    for (const b of pending) {
      const before = this.currentServing(b);
      const after = resolveServing(b, this);
      this.servings.set(b, after);
      if (sameWiring(before, after)) continue;
      for (const target of servedByTargets(before)) this.unlink(b, target);
      for (const target of servedByTargets(after)) this.link(b, target, 'served_by');
      for (const dependent of this.graph.inNeighbors(b)) {
        const entry = this.instances.get(dependent);
        if (!entry) continue;
        this.calls(entry, before, -1);
        this.calls(entry, after, +1);
      }
    }
  }

  /** Adds (+1) or removes (-1) the calls edges implied by `entry` checking a backend served so. */
  private calls(entry: InstanceEntry, serving: Serving, delta: 1 | -1): void {
    const fromService = serviceKey(entry.service);
    if (
      serving.via === 'service' ||
      (serving.via === 'alias' && serving.owner?.startsWith('service:'))
    ) {
      if (serving.owner !== fromService) this.ref(fromService, serving.owner as string, delta);
      return;
    }
    for (const server of serving.servers) {
      if (server === entry.key) continue;
      this.ref(entry.key, server, delta);
      const serverService = serviceKey(
        this.instances.get(server)?.service ?? server.slice(9, server.indexOf('/')),
      );
      if (serverService !== fromService) this.ref(fromService, serverService, delta);
    }
  }

  private ref(source: string, target: string, delta: 1 | -1): void {
    const key = edgeKey(source, target);
    if (!this.graph.hasEdge(key)) {
      if (delta < 0) return;
      this.graph.mergeNode(target, {
        kind: target.startsWith('service:') ? 'service' : 'instance',
      });
      this.graph.addEdgeWithKey(key, source, target, { rel: 'calls', refs: 1 });
      return;
    }
    const refs = (this.graph.getEdgeAttribute(key, 'refs') ?? 0) + delta;
    if (refs <= 0) this.graph.dropEdge(key);
    else this.graph.setEdgeAttribute(key, 'refs', refs);
  }

  private link(source: string, target: string, rel: Relation): void {
    const key = edgeKey(source, target);
    if (source === target || this.graph.hasEdge(key)) return;
    if (!this.graph.hasNode(target)) this.graph.addNode(target, { kind: kindOf(target) });
    this.graph.addEdgeWithKey(key, source, target, { rel });
  }

  private unlink(source: string, target: string): void {
    const key = edgeKey(source, target);
    if (this.graph.hasEdge(key)) this.graph.dropEdge(key);
  }
}

function push(map: Map<string, string[]>, name: string, key: string): void {
  const list = map.get(name);
  if (list) list.push(key);
  else map.set(name, [key]);
}

function servedByTargets(s: Serving): string[] {
  if (s.via === 'instance') return [...s.servers];
  return s.owner === null ? [] : [s.owner];
}

/** Whether two servings imply the same edges: service endpoints do not change when the service grows. */
function sameWiring(a: Serving, b: Serving): boolean {
  if (a.via !== b.via || a.owner !== b.owner) return false;
  if (
    a.via === 'service' ||
    a.via === 'host' ||
    a.via === 'none' ||
    (a.via === 'alias' && !a.owner?.startsWith('instance:'))
  )
    return true;
  return a.servers.length === b.servers.length && a.servers.every((s, i) => s === b.servers[i]);
}

function kindOf(key: string): NodeAttributes['kind'] {
  const kind = key.slice(0, key.indexOf(':'));
  if (
    kind === 'backend' ||
    kind === 'host' ||
    kind === 'service' ||
    kind === 'instance' ||
    kind === 'zone'
  )
    return kind;
  throw new Error(`not an entity key: ${key}`);
}
