import { consumersOf, type Topology } from '../topology/model.js';

/** What a test runs: the stages on the paths from `from` to `to` (one stage when they are equal). */
export interface Target {
  from: string;
  to: string;
}

/** Ids of the actors reading `id`'s output, directly or through others (not `id` itself). */
export function downstreamOf(topology: Topology, id: string): Set<string> {
  const seen = new Set<string>();
  const queue = [id];
  for (let head = 0; head < queue.length; head++) {
    for (const consumer of consumersOf(topology, queue[head] as string)) {
      if (seen.has(consumer.id)) continue;
      seen.add(consumer.id);
      queue.push(consumer.id);
    }
  }
  return seen;
}

/** Ids of the actors feeding `id`, directly or through others (not `id` itself). */
function upstreamOf(topology: Topology, id: string): Set<string> {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const queue = [id];
  for (let head = 0; head < queue.length; head++) {
    for (const input of byId.get(queue[head] as string)?.inputs ?? []) {
      if (seen.has(input)) continue;
      seen.add(input);
      queue.push(input);
    }
  }
  return seen;
}

/**
 * The ids of a target's sub-graph in file order: `from`, `to`, and every actor both downstream of
 * `from` and upstream of `to`. Empty when `to` is not `from` and not downstream of it.
 *
 * @example
 * subGraphIds(demo, { from: 'enrich', to: 'warnings' }); // ['enrich', 'warnings']
 */
export function subGraphIds(topology: Topology, target: Target): string[] {
  if (target.from === target.to) return topology.nodes.some((n) => n.id === target.from) ? [target.from] : [];
  const down = downstreamOf(topology, target.from);
  if (!down.has(target.to)) return [];
  const up = upstreamOf(topology, target.to);
  const members = new Set([target.from, target.to, ...[...down].filter((id) => up.has(id))]);
  return topology.nodes.filter((n) => members.has(n.id)).map((n) => n.id);
}
