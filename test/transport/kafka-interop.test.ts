import kafkajs, { type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { openMessageLog } from '../../src/transport/open-message-log.js';
import { SharedResources } from '../../src/core/shared-resources.js';
import type { ConsumedMessage, LogConsumer } from '../../src/transport/message-log.js';
import type { TransportConfig } from '../../src/transport/schema.js';
import { useKafka } from '../infra/kafka/fixture.js';
import { quietLog } from '../runtime/harness.js';
import { runJavaTool } from './java-tools.js';

const COUNT = 500;
const PARTITIONS = 3;

function transportOf(kafka: { brokers: string[] }): TransportConfig {
  return { type: 'kafka', brokers: kafka.brokers, clientId: 'interop', connectionTimeoutMs: 3000, requestTimeoutMs: 30000 };
}

/** The partition kafkajs' default partitioner picks for `key` among `PARTITIONS` partitions. */
function jsPartition(key: string): number {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
  }));
  return kafkajs.Partitioners.DefaultPartitioner()({ topic: 't', partitionMetadata, message: { key, value: null } });
}

async function readAll(consumer: LogConsumer, n: number): Promise<(ConsumedMessage & { partition: number })[]> {
  const out: (ConsumedMessage & { partition: number })[] = [];
  while (out.length < n) {
    const batch = await consumer.next();
    for (const m of batch.messages) out.push({ ...m, partition: batch.partition });
  }
  return out;
}

describe('interoperability with the Java Kafka tools (real broker)', () => {
  const kafka = useKafka();

  it('records millrace produces with lz4 are read by kafka-console-consumer, each key on its murmur2 partition', async () => {
    const topic = `lz4-out-${Date.now()}`;
    const producer = openMessageLog(transportOf(kafka), quietLog, new SharedResources().acquire).producer({ acks: -1, idempotent: true, compression: 'lz4', deliveryTimeoutMs: 30_000 });
    await producer.connect();
    await producer.send(topic, Array.from({ length: COUNT }, (_, i) => ({ key: `host-${i % 50}`, value: Buffer.from(`lz4 record ${i} ${'abc'.repeat(i % 40)}`) })));
    await producer.disconnect();

    const out = await runJavaTool('org.apache.kafka.tools.consumer.ConsoleConsumer', [
      '--bootstrap-server', kafka.brokers.join(','),
      '--topic', topic,
      '--from-beginning',
      '--max-messages', String(COUNT),
      '--timeout-ms', '60000',
      '--property', 'print.key=true',
      '--property', 'print.partition=true',
    ]);
    const rows = out.split('\n').filter((l) => l.startsWith('Partition:')).map((l) => l.split('\t'));
    expect(rows).toHaveLength(COUNT);
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(Array.from({ length: COUNT }, (_, i) => `lz4 record ${i} ${'abc'.repeat(i % 40)}`)));
    for (const [partition, key] of rows) expect(Number(partition?.slice('Partition:'.length))).toBe(jsPartition(key as string));
  }, 180_000);

  it('records kafka-console-producer writes with lz4 are read by millrace, on the same partitions kafkajs picks for their keys', async () => {
    const topic = `lz4-in-${Date.now()}`;
    const lines = Array.from({ length: COUNT }, (_, i) => `key-${i}\tjava lz4 ${i}`).join('\n') + '\n';
    await runJavaTool(
      'kafka.tools.ConsoleProducer',
      ['--bootstrap-server', kafka.brokers.join(','), '--topic', topic, '--compression-codec', 'lz4', '--property', 'parse.key=true', '--property', 'key.separator=\t'],
      lines,
    );
    const consumer = openMessageLog(transportOf(kafka), quietLog, new SharedResources().acquire).consumer({
      group: 'interop',
      topics: [topic],
      start: 'earliest',
      offsetOutOfRange: 'fail',
      maxBufferedRecords: 10_000,
      maxBufferedBytes: 1 << 20,
      sessionTimeoutMs: 6000,
      fetchBytesPerPartition: 128 * 1024,
      topicRefreshMs: 30_000,
    });
    await consumer.connect();
    try {
      const got = await readAll(consumer, COUNT);
      expect(new Set(got.map((m) => m.value?.toString()))).toEqual(new Set(Array.from({ length: COUNT }, (_, i) => `java lz4 ${i}`)));
      for (const m of got) expect(m.partition).toBe(jsPartition(m.key?.toString() ?? ''));
    } finally {
      await consumer.disconnect();
    }
  }, 180_000);
});
