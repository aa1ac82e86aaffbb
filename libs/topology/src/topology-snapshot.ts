import {
  hostKey,
  instanceKey,
  type Report,
  serviceKey,
  type Status,
  zoneKey,
} from '@faultline/reports';

import type { NodeAttributes } from './topology.model';
import { TopologyGraph, type TopologyJson } from './topology-graph';

/**
 * The dependency graph rebuilt from stored state rather than from the report stream: each
 * instance's current row and check states become one synthetic Report fed to TopologyGraph, so
 * the API shows the graph the engine learns, through libs/topology's public API only.
 */

/** A node's current health: a status, or stale when nothing current speaks for it. */
export type NodeStatus = Status | 'stale';
export const NODE_STATUSES: readonly NodeStatus[] = ['pass', 'warn', 'fail', 'stale'];

export interface InstanceStateRow {
  service: string;
  name: string;
  host: string | null;
  zone: string | null;
  status: Status;
  /** Silent for 3 of its own intervals, in event time (see @faultline/inventory staleness). */
  stale: boolean;
}

/** An explicit alias: the check target `target_key` is served by the entity `served_by`. */
export interface AliasRow {
  target_key: string;
  served_by: string;
}

export interface CheckStateRow {
  service: string;
  instance: string;
  name: string;
  backend_key: string | null;
  status: Status;
}

export interface GraphNodeJson {
  key: string;
  attributes: NodeAttributes & { status: NodeStatus };
}

/** graphology's serialisation format, each node's attributes carrying its status. */
export interface GraphJson {
  attributes: Record<string, unknown>;
  options: TopologyJson['options'];
  nodes: GraphNodeJson[];
  edges: TopologyJson['edges'];
}

/**
 * A group's status from its members' (a service's or host's instances, a backend's checks):
 * fail when most members fail, stale when all are stale (or there are none), warn when any
 * member is unwell, pass otherwise. One failing dependent of twenty makes a backend warn, not fail.
 */
export function rollUpStatus(members: readonly NodeStatus[]): NodeStatus {
  let fail = 0;
  let stale = 0;
  let warn = 0;
  for (const m of members) {
    if (m === 'fail') fail++;
    else if (m === 'stale') stale++;
    else if (m === 'warn') warn++;
  }
  if (stale === members.length) return 'stale';
  if (2 * fail > members.length) return 'fail';
  return fail + stale + warn > 0 ? 'warn' : 'pass';
}

/** An instance with its checks, both in a fixed order so every graph built from them is the same. */
export interface InstanceState {
  row: InstanceStateRow;
  checks: CheckStateRow[];
}

/** Groups checks under their instance (checks of an instance not listed are dropped), sorted by key. */
export function orderState(
  instances: readonly InstanceStateRow[],
  checks: readonly CheckStateRow[],
): InstanceState[] {
  const checksOf = new Map<string, CheckStateRow[]>();
  for (const c of checks) {
    const key = instanceKey(c.service, c.instance);
    const list = checksOf.get(key);
    if (list) list.push(c);
    else checksOf.set(key, [c]);
  }
  return [...instances]
    .sort((a, b) => compare(a.service, b.service) || compare(a.name, b.name))
    .map((row) => ({
      row,
      checks: (checksOf.get(instanceKey(row.service, row.name)) ?? []).sort((a, b) =>
        compare(a.name, b.name),
      ),
    }));
}

/**
 * Everything the graph's nodes, edges and attributes depend on (not statuses): equal keys give
 * equal graphs, so a graph can be reused while only statuses change. Names hold no control
 * characters (report schema), so NUL and SOH separate them unambiguously.
 */
export function structureKey(
  state: readonly InstanceState[],
  aliases: readonly AliasRow[] = [],
): string {
  return [
    ...aliases.map((a) => `${a.target_key}\u0000${a.served_by}`),
    ...state.map(({ row, checks }) =>
      [
        row.service,
        row.name,
        row.host ?? '',
        row.zone ?? '',
        ...checks.map((c) => c.backend_key ?? ''),
      ].join('\u0000'),
    ),
  ].join('\u0001');
}

/** Learns the graph from one synthetic report per instance. O(I + C) for I instances and C checks. */
export function learnGraph(
  state: readonly InstanceState[],
  aliases: readonly AliasRow[] = [],
): TopologyGraph {
  const graph = new TopologyGraph();
  for (const a of aliases) graph.setAlias(a.target_key, a.served_by);
  for (const { row, checks } of state) graph.observe(toReport(row, checks));
  return graph;
}

/**
 * Every node's status. An instance's is its own (stale when silent); services, hosts and zones
 * roll up their instances; backends roll up the checks on them, a check of a stale instance
 * counting as stale (see rollUpStatus). O(I + C).
 */
export function nodeStatuses(state: readonly InstanceState[]): Map<string, NodeStatus> {
  const statuses = new Map<string, NodeStatus>();
  const members = new Map<string, NodeStatus[]>();
  const add = (key: string, status: NodeStatus) => {
    const list = members.get(key);
    if (list) list.push(status);
    else members.set(key, [status]);
  };
  for (const { row, checks } of state) {
    const own: NodeStatus = row.stale ? 'stale' : row.status;
    statuses.set(instanceKey(row.service, row.name), own);
    add(serviceKey(row.service), own);
    if (row.host !== null) add(hostKey(row.host), own);
    if (row.zone !== null) add(zoneKey(row.zone), own);
    for (const c of checks)
      if (c.backend_key !== null) add(c.backend_key, row.stale ? 'stale' : c.status);
  }
  for (const [key, list] of members) statuses.set(key, rollUpStatus(list));
  return statuses;
}

/** The graph and every node's status from stored rows, in any order. */
export function buildTopology(
  instances: readonly InstanceStateRow[],
  checks: readonly CheckStateRow[],
): { graph: TopologyGraph; statuses: Map<string, NodeStatus> } {
  const state = orderState(instances, checks);
  return { graph: learnGraph(state), statuses: nodeStatuses(state) };
}

/** Adds each node's status (stale for a node nothing reports on) and the graph's own attributes. */
export function withStatuses(
  json: TopologyJson,
  statuses: ReadonlyMap<string, NodeStatus>,
  attributes: Record<string, unknown>,
): GraphJson {
  return {
    attributes: { ...json.attributes, ...attributes },
    options: json.options,
    nodes: json.nodes.map((n) => ({
      key: n.key,
      attributes: { ...(n.attributes as NodeAttributes), status: statuses.get(n.key) ?? 'stale' },
    })),
    edges: json.edges,
  };
}

function toReport(row: InstanceStateRow, checks: readonly CheckStateRow[]): Report {
  return {
    id: null,
    service: row.service,
    instance: row.name,
    host: row.host,
    labels: row.zone === null ? {} : { zone: row.zone },
    observedAt: 0,
    receivedAt: 0,
    status: row.status,
    checks: checks.map((c) => ({
      name: c.name,
      target: null,
      targetKey: c.backend_key,
      status: c.status,
      latencyMs: null,
      output: null,
    })),
  };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
