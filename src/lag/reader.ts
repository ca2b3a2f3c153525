import type { Admin } from 'kafkajs';
import type { PartitionLag } from './rule.js';

/**
 * Reads consumer lag from a Kafka cluster through kafkajs' admin client: for every topic one of
 * `groups` has committed offsets on (and `wanted` accepts), each partition's lag is its log end
 * offset minus the committed offset of the group furthest behind (a partition the group never
 * committed counts from the log start).
 */
export class KafkaLagReader {
  constructor(
    private readonly admin: Admin,
    private readonly groups: readonly string[],
    private readonly wanted: (topic: string) => boolean,
  ) {}

  async read(): Promise<Map<string, PartitionLag[]>> {
    // topic -> group -> partition -> committed offset
    const committed = new Map<string, Map<string, Map<number, number>>>();
    for (const groupId of this.groups) {
      for (const { topic, partitions } of await this.admin.fetchOffsets({ groupId })) {
        if (!this.wanted(topic)) continue;
        let byGroup = committed.get(topic);
        if (byGroup === undefined) committed.set(topic, (byGroup = new Map()));
        byGroup.set(groupId, new Map(partitions.map((p) => [p.partition, Number(p.offset)])));
      }
    }
    const lags = new Map<string, PartitionLag[]>();
    for (const [topic, byGroup] of committed) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      lags.set(
        topic,
        ends.map(({ partition, high, low }) => {
          let lag = 0;
          for (const offsets of byGroup.values()) {
            const at = offsets.get(partition) ?? -1;
            lag = Math.max(lag, Number(high) - (at < 0 ? Number(low) : at));
          }
          return { partition, lag };
        }),
      );
    }
    return lags;
  }

  /** Disconnects the admin client. */
  close(): Promise<void> {
    return this.admin.disconnect();
  }
}
