import type { TopologyJson } from '../topology-graph';

/**
 * What `key` depends on within an exported neighbourhood: the reverse of impactOf (impact.ts).
 *
 * Contract: edges point from dependent to dependency, so dependencies are found by walking edges
 * forwards, except member_of (instance → service), walked backwards: a service depends on its
 * instances. So a service's dependencies are its instances and, through them, their backends,
 * the backends' servers, their hosts and zones, and the services they call.
 * Preconditions: `part` is the neighbourhood of `key` (TopologyGraph.exportAround); what lies
 * beyond it is not seen. Cycles are fine (visited set).
 * Complexity: O(V + E) of the neighbourhood.
 */
export function dependenciesIn(part: TopologyJson, key: string): string[] {
  const next = new Map<string, string[]>();
  const add = (from: string, to: string) => {
    const list = next.get(from);
    if (list) list.push(to);
    else next.set(from, [to]);
  };
  for (const edge of part.edges) {
    if (edge.attributes?.rel === 'member_of') add(edge.target, edge.source);
    else add(edge.source, edge.target);
  }
  const seen = new Set<string>([key]);
  const queue = [key];
  for (let i = 0; i < queue.length; i++)
    for (const dependency of next.get(queue[i]) ?? []) {
      if (seen.has(dependency)) continue;
      seen.add(dependency);
      queue.push(dependency);
    }
  seen.delete(key);
  return [...seen].sort();
}
