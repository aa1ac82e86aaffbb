import type { DirectedGraph } from 'graphology';

import type { EdgeAttributes, Impact, NodeAttributes } from './topology.model';

/**
 * Who depends on `key`: its direct dependents, and every entity that depends on it transitively.
 *
 * Contract: edges point from dependent to dependency, so dependents are found by walking edges
 * backwards, with one exception: a service depends on its instances, so member_of edges
 * (instance → service) are walked forwards. served_by edges point from a backend to its server,
 * so the dependents of a broker's instance include the dependents of the broker's target.
 * Preconditions: none; an unknown key has no dependents. Cycles are fine (visited set).
 * Complexity: O(V' + E') breadth first over the V' dependents and the edges touching them.
 */
export function impactOf(
  graph: DirectedGraph<NodeAttributes, EdgeAttributes>,
  key: string,
): Impact {
  if (!graph.hasNode(key)) return { key, direct: [], transitive: [] };
  const dependentsOf = (node: string): string[] => {
    const out: string[] = [];
    graph.forEachInEdge(node, (_edge, attributes, source) => {
      if (attributes.rel !== 'member_of') out.push(source);
    });
    graph.forEachOutEdge(node, (_edge, attributes, _source, target) => {
      if (attributes.rel === 'member_of') out.push(target);
    });
    return out;
  };
  const direct = [...new Set(dependentsOf(key))].sort();
  const seen = new Set<string>([key]);
  const queue: string[] = [key];
  for (let i = 0; i < queue.length; i++) {
    for (const dependent of dependentsOf(queue[i])) {
      if (seen.has(dependent)) continue;
      seen.add(dependent);
      queue.push(dependent);
    }
  }
  seen.delete(key);
  return { key, direct, transitive: [...seen].sort() };
}
