/** Why a partition is out of the rotation, and since when (ms since the epoch). */
export interface Exclusion {
  reason: string;
  since: number;
}

/** One topic's rotation as status views show it. */
export type RotationView = {
  /** Partitions out of the rotation now, with the first reason that took each out. */
  excluded: Record<number, string>;
  /** Partitions asked to be excluded but kept in because the cap was reached. */
  capped: Record<number, string>;
};

/** The most partitions of an `n`-partition topic that may be out at once: `maxExcludedShare` of them, always leaving one. */
export function exclusionCap(n: number, maxExcludedShare: number): number {
  return Math.max(0, Math.min(n - 1, Math.floor(n * maxExcludedShare)));
}

/**
 * Which partitions of each topic the producer's partitioner may pick for records without a key.
 * Several sources take partitions out, each under its own reason (`slow` from produce latency,
 * `lag` from a consumer-lag blacklist, ...); a partition is back in when every reason has let go
 * of it. Never more than `maxExcludedShare` of a topic's partitions are out: asks beyond the cap
 * wait, oldest first, and take a place as soon as one frees.
 *
 * @example
 * const rotation = new PartitionRotation(0.5);
 * rotation.exclude('lag', 'logs', [2]);
 * rotation.available('logs', [0, 1, 2, 3]); // [0, 1, 3]
 * rotation.include('lag', 'logs', [2]);
 */
export class PartitionRotation {
  /** topic -> partition -> reason -> since. Insertion order is the order of the asks. */
  private readonly asks = new Map<string, Map<number, Map<string, number>>>();

  constructor(readonly maxExcludedShare: number) {
    if (!(maxExcludedShare >= 0 && maxExcludedShare <= 1)) throw new RangeError(`maxExcludedShare must be between 0 and 1, got ${maxExcludedShare}`);
  }

  /** Asks for `partitions` of `topic` to leave the rotation for `reason` (again asking is a no-op). */
  exclude(reason: string, topic: string, partitions: readonly number[], now = Date.now()): void {
    let byPartition = this.asks.get(topic);
    if (byPartition === undefined) this.asks.set(topic, (byPartition = new Map()));
    for (const p of partitions) {
      let reasons = byPartition.get(p);
      if (reasons === undefined) byPartition.set(p, (reasons = new Map()));
      if (!reasons.has(reason)) reasons.set(reason, now);
    }
  }

  /** Withdraws `reason`'s asks for `partitions` of `topic`. */
  include(reason: string, topic: string, partitions: readonly number[]): void {
    const byPartition = this.asks.get(topic);
    if (byPartition === undefined) return;
    for (const p of partitions) {
      const reasons = byPartition.get(p);
      if (reasons === undefined) continue;
      reasons.delete(reason);
      if (reasons.size === 0) byPartition.delete(p);
    }
    if (byPartition.size === 0) this.asks.delete(topic);
  }

  /** Whether `reason` asks for `partition` of `topic` to be out (granted or capped). */
  asked(reason: string, topic: string, partition: number): boolean {
    return this.asks.get(topic)?.get(partition)?.has(reason) ?? false;
  }

  /** The partitions of `topic` out of the rotation now, among `partitions` (the topic's partition ids), oldest asks first up to the cap. */
  excluded(topic: string, partitions: readonly number[]): Map<number, Exclusion> {
    const out = new Map<number, Exclusion>();
    const byPartition = this.asks.get(topic);
    if (byPartition === undefined) return out;
    const cap = exclusionCap(partitions.length, this.maxExcludedShare);
    const known = new Set(partitions);
    const waiting = [...byPartition].filter(([p]) => known.has(p)).map(([p, reasons]) => ({ p, ...first(reasons) }));
    waiting.sort((a, b) => a.since - b.since || a.p - b.p);
    for (const w of waiting.slice(0, cap)) out.set(w.p, { reason: w.reason, since: w.since });
    return out;
  }

  /** The partitions among `partitions` that the partitioner may pick. */
  available(topic: string, partitions: readonly number[]): number[] {
    const out = this.excluded(topic, partitions);
    return out.size === 0 ? [...partitions] : partitions.filter((p) => !out.has(p));
  }

  /** Per topic: what is out and what waits for the cap, given each topic's partition ids. */
  view(partitionsOf: (topic: string) => readonly number[] | undefined): Record<string, RotationView> {
    const out: Record<string, RotationView> = {};
    for (const [topic, byPartition] of this.asks) {
      const partitions = partitionsOf(topic) ?? [...byPartition.keys()];
      const excluded = this.excluded(topic, partitions);
      const view: RotationView = { excluded: {}, capped: {} };
      for (const [p, reasons] of byPartition) {
        if (excluded.has(p)) view.excluded[p] = excluded.get(p)!.reason;
        else view.capped[p] = first(reasons).reason;
      }
      out[topic] = view;
    }
    return out;
  }
}

function first(reasons: Map<string, number>): Exclusion {
  let best: Exclusion | undefined;
  for (const [reason, since] of reasons) if (best === undefined || since < best.since) best = { reason, since };
  return best!;
}
