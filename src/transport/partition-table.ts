import type { PartitionOffset, PartitionStatus } from './message-log.js';

/** What a consumer knows about one assigned partition. */
export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** Changes on every (re)assignment: offsets read under an older epoch are never committed. */
  readonly epoch: number;
  /** Next offset to hand to the reader. */
  position: number | null;
  committed: number | null;
  highWatermark: number | null;
}

// Process-wide, so epochs of a consumer that was replaced (after a reconnect) never match again.
let lastEpoch = 0;

export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/**
 * A consumer's current assignment: per partition its epoch, read position, committed offset and
 * high watermark. Shared by the Kafka and the embedded consumer.
 *
 * @example
 * const table = new PartitionTable();
 * table.assign([{ topic: 'logs', partition: 0 }]);
 * table.isCurrent({ topic: 'logs', partition: 0, offset: 10, epoch: 1 }); // false after the next assign
 */
export class PartitionTable {
  private parts = new Map<string, PartitionState>();

  /**
   * Replaces the assignment. Every partition starts a new epoch with unknown offsets, unless
   * `keep` is set: then partitions that stay assigned keep their state (the consumer keeps its
   * fetch position for them, so their records read before stay committable).
   */
  assign(partitions: readonly { topic: string; partition: number }[], keep = false): PartitionState[] {
    const before = this.parts;
    this.parts = new Map(
      partitions.map(({ topic, partition }) => {
        const key = partitionKey(topic, partition);
        const kept = keep ? before.get(key) : undefined;
        return [key, kept ?? { topic, partition, epoch: ++lastEpoch, position: null, committed: null, highWatermark: null }];
      }),
    );
    return [...this.parts.values()];
  }

  get(topic: string, partition: number): PartitionState | undefined {
    return this.parts.get(partitionKey(topic, partition));
  }

  /** Whether `o` was read under the partition's current assignment. */
  isCurrent(o: PartitionOffset): boolean {
    return this.get(o.topic, o.partition)?.epoch === o.epoch;
  }

  all(): PartitionState[] {
    return [...this.parts.values()];
  }

  /** Topics with at least one assigned partition. */
  topics(): string[] {
    return [...new Set(this.all().map((p) => p.topic))];
  }

  status(paused: (p: PartitionState) => boolean): PartitionStatus[] {
    return this.all().map((p) => ({
      topic: p.topic,
      partition: p.partition,
      position: p.position,
      committed: p.committed,
      highWatermark: p.highWatermark,
      lag: p.highWatermark === null ? null : Math.max(0, p.highWatermark - (p.committed ?? 0)),
      paused: paused(p),
    }));
  }
}
