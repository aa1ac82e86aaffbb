import { type FaultlineConfig, InjectConfig, NotFoundError } from '@faultline/platform';
import { Injectable, Optional } from '@nestjs/common';

import type { Impact } from '../topology.model';
import type { TopologyGraph } from '../topology-graph';
import {
  type GraphJson,
  learnGraph,
  type NodeStatus,
  nodeStatuses,
  orderState,
  structureKey,
  withStatuses,
} from '../topology-snapshot';
import { dependenciesIn } from './dependencies';
import { TopologyStateRepository } from './topology-state.repository';

/** How long one rebuilt graph answers queries: dashboards poll, and a rebuild reads every instance. */
export const TOPOLOGY_CACHE_MS = 3_000;
export const DEFAULT_GRAPH_DEPTH = 2;
/** Hops around an entity searched for what it depends on (a service → its instances → their hosts → zones). */
export const DEPENDENCY_DEPTH = 3;
/** GRAPH_MAX_NODES when no configuration is given. */
export const DEFAULT_GRAPH_MAX_NODES = 5000;

/** The graph as served: graphology's format, plus whether nodes were left out. */
export type ServedGraph = GraphJson & {
  /** True when the whole graph had more nodes than GRAPH_MAX_NODES and only the first are here. */
  truncated: boolean;
  /** Nodes in the graph asked for, before any cap. */
  totalNodes: number;
};

interface Snapshot {
  graph: TopologyGraph;
  statuses: Map<string, NodeStatus>;
  attributes: { eventTime: string | null; builtAt: string };
  /** The whole graph with statuses (capped), made on first request. */
  full?: ServedGraph;
}

/**
 * The graph endpoints' read side: the topology rebuilt from stored state (see topology-snapshot.ts)
 * at most once per TOPOLOGY_CACHE_MS; concurrent requests share one rebuild. Learning the graph
 * is the costly part (about 200 ms of CPU at 10,000 instances), so it is redone only when the
 * structure changed; statuses are recomputed every time. A graph is never mutated once built.
 */
@Injectable()
export class TopologySnapshotService {
  private cached: { at: number; snapshot: Promise<Snapshot> } | null = null;
  private learned: { structure: string; graph: TopologyGraph } | null = null;

  private readonly maxNodes: number;

  constructor(
    private readonly state: TopologyStateRepository,
    @Optional() @InjectConfig() config?: Pick<FaultlineConfig, 'GRAPH_MAX_NODES'>,
  ) {
    this.maxNodes = config?.GRAPH_MAX_NODES ?? DEFAULT_GRAPH_MAX_NODES;
  }

  /**
   * The whole graph, or the part within `depth` hops of `around`; 404 when `around` is unknown.
   * The whole graph holds at most GRAPH_MAX_NODES nodes (see capGraph); a neighbourhood is
   * bounded by its depth.
   */
  async graph(around?: string, depth = DEFAULT_GRAPH_DEPTH): Promise<ServedGraph> {
    if (!Number.isInteger(depth) || depth < 0)
      throw new RangeError('depth must be a non-negative integer');
    const snapshot = await this.snapshot();
    if (around === undefined)
      return (snapshot.full ??= capGraph(
        withStatuses(snapshot.graph.export(), snapshot.statuses, snapshot.attributes),
        this.maxNodes,
      ));
    if (!snapshot.graph.hasNode(around)) throw unknownEntity(around);
    const part = withStatuses(
      snapshot.graph.exportAround(around, depth),
      snapshot.statuses,
      snapshot.attributes,
    );
    return { ...part, truncated: false, totalNodes: part.nodes.length };
  }

  /** What depends on `key`, directly and transitively; 404 when it is unknown. */
  async impact(key: string): Promise<Impact> {
    const snapshot = await this.snapshot();
    if (!snapshot.graph.hasNode(key)) throw unknownEntity(key);
    return snapshot.graph.impact(key);
  }

  /**
   * An entity's relatives for its impact view: what depends on it (impact), what it depends on
   * within DEPENDENCY_DEPTH hops, and the newest event time known; 404 when it is unknown.
   */
  async relatives(
    key: string,
  ): Promise<{ impact: Impact; dependencies: string[]; eventTime: string | null }> {
    const snapshot = await this.snapshot();
    if (!snapshot.graph.hasNode(key)) throw unknownEntity(key);
    return {
      impact: snapshot.graph.impact(key),
      dependencies: dependenciesIn(snapshot.graph.exportAround(key, DEPENDENCY_DEPTH), key),
      eventTime: snapshot.attributes.eventTime,
    };
  }

  private snapshot(): Promise<Snapshot> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < TOPOLOGY_CACHE_MS) return this.cached.snapshot;
    const snapshot = this.build();
    const entry = { at: now, snapshot };
    this.cached = entry;
    // A failed rebuild is not cached: the next request tries again.
    snapshot.catch(() => {
      if (this.cached === entry) this.cached = null;
    });
    return snapshot;
  }

  private async build(): Promise<Snapshot> {
    const { instances, checks, aliases, eventNow } = await this.state.load();
    const state = orderState(instances, checks);
    const structure = structureKey(state, aliases);
    if (this.learned?.structure !== structure) {
      const graph = learnGraph(state, aliases);
      graph.export(); // resolves pending backend servings now, so hasNode sees every node
      this.learned = { structure, graph };
    }
    const attributes = {
      eventTime: eventNow ? eventNow.toISOString() : null,
      builtAt: new Date().toISOString(),
    };
    return { graph: this.learned.graph, statuses: nodeStatuses(state), attributes };
  }
}

// What an operator looks at first: what is unwell, then the shared things a cause is named by.
const STATUS_RANK: Record<string, number> = { fail: 0, warn: 1, stale: 2, pass: 3 };
const KIND_RANK: Record<string, number> = { backend: 0, service: 1, host: 2, zone: 3, instance: 4 };

/**
 * The graph cut to its first `max` nodes by a deterministic priority (status fail, warn, stale,
 * pass; then backends, services, hosts, zones, instances; then key), with the edges between
 * them; `truncated` says whether any node was left out.
 */
export function capGraph(graph: GraphJson, max: number): ServedGraph {
  const totalNodes = graph.nodes.length;
  if (totalNodes <= max) return { ...graph, truncated: false, totalNodes };
  const rank = (n: GraphJson['nodes'][number]) =>
    (STATUS_RANK[n.attributes.status] ?? 4) * 10 + (KIND_RANK[n.attributes.kind] ?? 9);
  const nodes = [...graph.nodes]
    .sort((a, b) => rank(a) - rank(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, max);
  const kept = new Set(nodes.map((n) => n.key));
  return {
    ...graph,
    nodes,
    edges: graph.edges.filter((e) => kept.has(e.source) && kept.has(e.target)),
    truncated: true,
    totalNodes,
  };
}

const unknownEntity = (key: string) => new NotFoundError(`no entity ${JSON.stringify(key)}`);
