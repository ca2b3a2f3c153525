import { partitionKey } from '../../transport/partition-table.js';
import type { ConsumedBatch, ConsumedMessage, LogConsumer, PartitionRange } from '../../transport/message-log.js';

/** How often the group's committed offsets are compared with the ends. */
const CHECK_EVERY_MS = 1000;

/**
 * `until: end`: the kafka source reads every partition of its topics up to the end offsets read
 * when it connects, then ends. Records appended later are not emitted (nor committed: they stay
 * for the next consumer). The end is reached when the group has committed every partition up to
 * its end, which is what every replica (and every process of the group) can see, whichever
 * partitions it was given; so a replica with no partitions ends with the others.
 */
export class UntilEnd {
  private readonly ends: Map<string, number>;
  private pending: Promise<ConsumedBatch> | undefined;
  private checkedAt = 0;

  private constructor(
    private readonly consumer: LogConsumer,
    ranges: readonly PartitionRange[],
    start: 'earliest' | 'latest',
  ) {
    // A partition the group has no offset for, started at `latest`, has nothing to read before its end.
    const toRead = ranges.filter((r) => r.committed !== null || start === 'earliest');
    this.ends = new Map(toRead.map((r) => [partitionKey(r.topic, r.partition), r.high]));
  }

  /** Reads the ends of `consumer`'s partitions now; `start` is where a partition without a committed offset starts. */
  static async start(consumer: LogConsumer, start: 'earliest' | 'latest'): Promise<UntilEnd> {
    return new UntilEnd(consumer, await consumer.ranges(), start);
  }

  /** The next batch, or undefined when none came within a check interval (so the end is checked again). */
  async next(): Promise<ConsumedBatch | undefined> {
    const pending = (this.pending ??= this.consumer.next());
    // A batch that arrives after a timeout is taken by the next call; a rejection is seen there too.
    void pending.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), CHECK_EVERY_MS)));
    const batch = await Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
    if (batch !== undefined) this.pending = undefined;
    return batch;
  }

  /** The messages of `batch` before its partition's end (none for a partition that did not exist at start). */
  cut(batch: ConsumedBatch): ConsumedMessage[] {
    const end = this.ends.get(partitionKey(batch.topic, batch.partition)) ?? 0;
    const last = batch.messages[batch.messages.length - 1];
    if (last === undefined || last.offset < end) return batch.messages;
    return batch.messages.filter((m) => m.offset < end);
  }

  /** Whether the group has committed every partition to its end; checked at most once a second. */
  async reached(): Promise<boolean> {
    if (Date.now() - this.checkedAt < CHECK_EVERY_MS) return false;
    this.checkedAt = Date.now();
    const now = new Map((await this.consumer.ranges()).map((r) => [partitionKey(r.topic, r.partition), r]));
    for (const [key, end] of this.ends) {
      const range = now.get(key);
      if (range === undefined) continue; // deleted since: nothing left to read
      if (end > range.low && (range.committed ?? range.low) < end) return false;
    }
    return true;
  }
}
