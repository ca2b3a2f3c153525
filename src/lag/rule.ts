/** The consumer lag of one partition: records its slowest downstream group has yet to read. */
export interface PartitionLag {
  partition: number;
  lag: number;
}

/** When a partition is lagging (see {@link laggingPartitions}). */
export interface LagRule {
  /** A partition lags when its lag is above k times the topic's smallest lag ... */
  k: number;
  /** ... and above this many records. */
  floor: number;
  /** At most this share of the topic's partitions is taken out (rounded down). */
  maxShare: number;
}

/**
 * The partitions of one topic to take out of rotation: those whose lag is above `k` x the
 * smallest lag of the topic and above `floor`; when more than `maxShare` of the partitions
 * qualify, only the ones lagging most (ties: lower partition first). Sorted by partition.
 */
export function laggingPartitions(lags: readonly PartitionLag[], rule: LagRule): number[] {
  if (lags.length === 0) return [];
  const min = Math.min(...lags.map((p) => p.lag));
  const cap = Math.floor(rule.maxShare * lags.length);
  return lags
    .filter((p) => p.lag > rule.k * min && p.lag > rule.floor)
    .sort((a, b) => b.lag - a.lag || a.partition - b.partition)
    .slice(0, cap)
    .map((p) => p.partition)
    .sort((a, b) => a - b);
}
