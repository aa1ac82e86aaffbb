import { NotFoundError } from '@faultline/platform';
import { Injectable } from '@nestjs/common';

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
import { TopologyStateRepository } from './topology-state.repository';

/** How long one rebuilt graph answers queries: dashboards poll, and a rebuild reads every instance. */
export const TOPOLOGY_CACHE_MS = 3_000;
export const DEFAULT_GRAPH_DEPTH = 2;

interface Snapshot {
  graph: TopologyGraph;
  statuses: Map<string, NodeStatus>;
  attributes: { eventTime: string | null; builtAt: string };
  /** The whole graph with statuses, made on first request. */
  full?: GraphJson;
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

  constructor(private readonly state: TopologyStateRepository) {}

  /** The whole graph, or the part within `depth` hops of `around`; 404 when `around` is unknown. */
  async graph(around?: string, depth = DEFAULT_GRAPH_DEPTH): Promise<GraphJson> {
    if (!Number.isInteger(depth) || depth < 0)
      throw new RangeError('depth must be a non-negative integer');
    const snapshot = await this.snapshot();
    if (around === undefined)
      return (snapshot.full ??= withStatuses(
        snapshot.graph.export(),
        snapshot.statuses,
        snapshot.attributes,
      ));
    if (!snapshot.graph.hasNode(around)) throw unknownEntity(around);
    return withStatuses(
      snapshot.graph.exportAround(around, depth),
      snapshot.statuses,
      snapshot.attributes,
    );
  }

  /** What depends on `key`, directly and transitively; 404 when it is unknown. */
  async impact(key: string): Promise<Impact> {
    const snapshot = await this.snapshot();
    if (!snapshot.graph.hasNode(key)) throw unknownEntity(key);
    return snapshot.graph.impact(key);
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

const unknownEntity = (key: string) => new NotFoundError(`no entity ${JSON.stringify(key)}`);
