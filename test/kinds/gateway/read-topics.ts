import { Kafka, logLevel } from 'kafkajs';
import { eventually } from '../../kit/eventually.js';

/** How many records each topic holds (its partitions' high watermarks, for topics made by the test). */
export async function topicCounts(brokers: string[], topics: readonly string[]): Promise<Map<string, number>> {
  const admin = new Kafka({ clientId: 'gateway-test', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const out = new Map<string, number>();
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic).catch(() => []);
      out.set(topic, offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0));
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Every value in `topics`, read from the beginning by a fresh consumer group. */
export async function readTopics(brokers: string[], topics: readonly string[]): Promise<string[]> {
  const total = [...(await topicCounts(brokers, topics)).values()].reduce((a, b) => a + b, 0);
  const consumer = new Kafka({ clientId: 'gateway-test', brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `gateway-test-read-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  const values: string[] = [];
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString('utf8') ?? '');
      },
    });
    await eventually(() => values.length >= total, { what: `${total} records of ${topics.join(', ')}`, timeoutMs: 60_000 });
  } finally {
    await consumer.disconnect();
  }
  return values;
}
