import type { DirectedGraph } from 'graphology';

import type { EdgeAttributes, NodeAttributes } from './topology.model';

/**
 * The part of the graph within `depth` hops of `key`, following edges in both directions, in
 * graphology's serialisation format (the shape of graph.export()).
 *
 * Contract: depth >= 0 (0 gives the node alone); an unknown key gives an empty graph. Edges are
 * those whose two ends are both kept. Nodes come out in breadth-first order, edges in the
 * graph's order, so the output is deterministic for a given graph.
 * Complexity: O(V' + E') for the nodes kept and the edges touching them.
 */
export function neighbourhood(
  graph: DirectedGraph<NodeAttributes, EdgeAttributes>,
  key: string,
  depth: number,
) {
  if (!Number.isInteger(depth) || depth < 0)
    throw new RangeError('depth must be a non-negative integer');
  const empty = graph.nullCopy();
  if (!graph.hasNode(key)) return empty.export();
  const kept = new Map<string, number>([[key, 0]]);
  const queue = [key];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    const hops = kept.get(node) as number;
    if (hops === depth) continue;
    graph.forEachNeighbor(node, (neighbour) => {
      if (kept.has(neighbour)) return;
      kept.set(neighbour, hops + 1);
      queue.push(neighbour);
    });
  }
  for (const node of queue) empty.addNode(node, graph.getNodeAttributes(node));
  for (const node of queue) {
    graph.forEachOutEdge(node, (edge, attributes, source, target) => {
      if (kept.has(target)) empty.addEdgeWithKey(edge, source, target, attributes);
    });
  }
  return empty.export();
}
