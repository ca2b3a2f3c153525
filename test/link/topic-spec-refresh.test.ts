/**
 * When the sender puts a source topic's spec on a record (src/link/topic-spec.ts), against a real
 * Kafka: on the topic's first record, not again while the spec is unchanged, and at once when a
 * record comes from a partition beyond the count last described, though the refresh is not due.
 * Configs tied to the cluster (min.insync.replicas here) are left out of it.
 */
import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { parseTopicSpec, TOPIC_SPEC_HEADER, TopicSpecs } from '../../src/link/topic-spec.js';
import type { WireRecord } from '../../src/link/wire-record.js';
import type { TopicSpec } from '../../src/transport/message-log.js';
import { KafkaTopicAdmin } from '../../src/transport/kafka-topic-admin.js';
import { useKafka } from '../infra/kafka/fixture.js';

function record(topic: string, partition: number): WireRecord {
  return { topic, partition, offset: '0', ts: 0, key: null, value: Buffer.from('v'), headers: [] };
}

/** The specs `records` carry, in order. */
function specsOn(records: readonly WireRecord[]): (TopicSpec | undefined)[] {
  return records.map((r) => parseTopicSpec(r.headers.find(([name]) => name === TOPIC_SPEC_HEADER)?.[1]));
}

describe('the topic spec on mirrored records', () => {
  const kafka = useKafka('a', 19092);

  it('goes on the first record of a topic, not again while unchanged, and again at once for a record from a new partition', async () => {
    const topic = `spec-refresh-${Date.now()}-${randomBytes(2).toString('hex')}`;
    const client = new kafkajs.Kafka({ brokers: kafka.brokers, clientId: 'spec-refresh-test', logLevel: kafkajs.logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '3600000' }, { name: 'min.insync.replicas', value: '1' }] }], waitForLeaders: true });
    const specs = new TopicSpecs(new KafkaTopicAdmin(client, kafka.brokers), 3_600_000);
    const ship = async (records: WireRecord[]): Promise<(TopicSpec | undefined)[]> => {
      const out = await specs.attach(records);
      specs.queued(out);
      return specsOn(out);
    };
    try {
      // min.insync.replicas stays the source cluster's own: not in the spec.
      const first = { partitions: 2, configs: { 'retention.ms': '3600000' } };
      expect(await ship([record(topic, 1), record(topic, 0)])).toEqual([first, undefined]);
      expect(await ship([record(topic, 0), record(topic, 1)])).toEqual([undefined, undefined]);

      await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
      // Not due for an hour, and partitions 0 and 1 are known: no new describe, no header.
      expect(await ship([record(topic, 0)])).toEqual([undefined]);
      // Partition 2 is beyond the count described: described at once, the new spec on the batch's first record.
      expect(await ship([record(topic, 0), record(topic, 2)])).toEqual([{ ...first, partitions: 3 }, undefined]);
      expect(await ship([record(topic, 2)])).toEqual([undefined]);
      // Records from no topic partition (a sender's own records) are left alone.
      expect(await ship([record(topic, -1)])).toEqual([undefined]);
    } finally {
      await specs.close();
      await admin.disconnect();
    }
  }, 60_000);
});
