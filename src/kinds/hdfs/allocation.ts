/** What allocation needs to know of a cluster, in config order. */
export interface SlotOwner {
  readonly name: string;
  readonly weight: number;
  readonly pollers: number;
  readonly healthy: boolean;
}

/**
 * The cluster each poller slot owns by config: slots are numbered across clusters in config
 * order, `pollers` each (`[a, a, b, b]` for two clusters of two pollers).
 */
export function homeSlots(clusters: readonly Pick<SlotOwner, 'name' | 'pollers'>[]): string[] {
  return clusters.flatMap((c) => Array.from({ length: c.pollers }, () => c.name));
}

/**
 * Which cluster each poller slot serves: its own while that is healthy; otherwise the healthy
 * cluster of highest weight (the first in config order on a tie). When no cluster is healthy,
 * every slot stays home and keeps trying its own.
 *
 * @example
 * allocate([
 *   { name: 'a', weight: 2, pollers: 1, healthy: true },
 *   { name: 'b', weight: 1, pollers: 2, healthy: false },
 * ]); // ['a', 'a', 'a']
 */
export function allocate(clusters: readonly SlotOwner[]): string[] {
  let best: SlotOwner | undefined;
  for (const c of clusters)
    if (c.healthy && (best === undefined || c.weight > best.weight)) best = c;
  const healthy = new Set(clusters.filter((c) => c.healthy).map((c) => c.name));
  return homeSlots(clusters).map((home) =>
    healthy.has(home) || best === undefined ? home : best.name,
  );
}

/** One move of pollers between clusters, for the log. */
export interface Move {
  from: string;
  to: string;
  slots: number[];
}

/** The moves that turn allocation `before` into `after`, grouped by (from, to). */
export function moves(before: readonly string[], after: readonly string[]): Move[] {
  const grouped = new Map<string, Move>();
  after.forEach((to, slot) => {
    const from = before[slot];
    if (from === undefined || from === to) return;
    const key = `${from}\u0000${to}`;
    const move = grouped.get(key) ?? { from, to, slots: [] };
    move.slots.push(slot);
    grouped.set(key, move);
  });
  return [...grouped.values()];
}
