import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, Partitioners, type KafkaMessage } from 'kafkajs';
import {
  ensureKafka,
  externalBrokers,
  killBroker,
  noOwnBroker,
  restartBroker,
  type KafkaHandle,
} from './broker.js';

const usingExternalBrokers = externalBrokers() !== undefined;

function client(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'millrace-infra-test', brokers, logLevel: logLevel.NOTHING });
}

function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now()}-${randomBytes(3).toString('hex')}`;
}

async function createTopic(brokers: string[], topic: string, numPartitions = 1): Promise<void> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

async function produce(brokers: string[], topic: string, values: string[]): Promise<void> {
  const producer = client(brokers).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
  } finally {
    await producer.disconnect();
  }
}

/** Reads `count` records of `topic` from the beginning with a fresh consumer group. */
async function consume(
  brokers: string[],
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<string[]> {
  const consumer = client(brokers).consumer({
    groupId: uniqueTopic('group'),
    maxWaitTimeInMs: 100,
  });
  const seen: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`consumed ${seen.length}/${count} records of ${topic} within ${timeoutMs}ms`),
          ),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ message }: { message: KafkaMessage }) => {
            seen.push(message.value?.toString('utf8') ?? '<null>');
            if (seen.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('real Kafka test broker (test/infra/kafka)', () => {
  let a: KafkaHandle | undefined;

  beforeAll(async () => {
    a = await ensureKafka('a', 19092);
  });

  afterAll(async () => {
    await a?.stop();
  });

  it(
    'a started broker accepts produced records and serves them to a consumer',
    { timeout: 60_000 },
    async () => {
      if (a === undefined) throw new Error('broker a not started');
      const topic = uniqueTopic('roundtrip');
      const values = Array.from({ length: 5 }, (_, i) => `record-${i}`);
      await createTopic(a.brokers, topic);

      await produce(a.brokers, topic, values);

      expect(await consume(a.brokers, topic, values.length)).toEqual(values);
    },
  );

  it(
    'a topic that does not exist yet is auto-created with 3 partitions on first produce',
    { timeout: 60_000 },
    async () => {
      if (a === undefined) throw new Error('broker a not started');
      const topic = uniqueTopic('autocreate');
      const producer = client(a.brokers).producer({
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      try {
        await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'v' }] });
      } finally {
        await producer.disconnect();
      }
      const admin = client(a.brokers).admin();
      await admin.connect();
      try {
        const meta = await admin.fetchTopicMetadata({ topics: [topic] });
        expect(meta.topics[0]?.partitions).toHaveLength(3);
      } finally {
        await admin.disconnect();
      }
    },
  );

  it.skipIf(noOwnBroker())('a broker port inside the ephemeral range is refused before anything starts', async () => {
    await expect(ensureKafka('ephemeral', 41260)).rejects.toThrow(/inside the ephemeral range 32768-60999: pick a port below 32767/);
    // Its controller would listen on 32768.
    await expect(ensureKafka('ephemeral', 32767)).rejects.toThrow(/inside the ephemeral range/);
  });

  it.skipIf(usingExternalBrokers)(
    'two clusters run side by side and keep their records apart',
    { timeout: 120_000 },
    async () => {
      if (a === undefined) throw new Error('broker a not started');
      const b = await ensureKafka('b', 29092);
      try {
        const topic = uniqueTopic('only-on-b');
        await createTopic(b.brokers, topic);
        await produce(b.brokers, topic, ['on-b']);

        expect(await consume(b.brokers, topic, 1)).toEqual(['on-b']);
        const admin = client(a.brokers).admin();
        await admin.connect();
        try {
          expect(await admin.listTopics()).not.toContain(topic);
        } finally {
          await admin.disconnect();
        }
      } finally {
        await b.stop();
      }
    },
  );

  it.skipIf(usingExternalBrokers)(
    'records acknowledged before a kill -9 are still served after the broker restarts',
    { timeout: 180_000 },
    async () => {
      const crash = await ensureKafka('crash', 26092);
      try {
        const topic = uniqueTopic('crash');
        const values = Array.from({ length: 20 }, (_, i) => `before-crash-${i}`);
        await createTopic(crash.brokers, topic);
        await produce(crash.brokers, topic, values);

        await killBroker('crash');
        const brokers = await restartBroker('crash', 26092);

        expect(await consume(brokers, topic, values.length, 60_000)).toEqual(values);
      } finally {
        await crash.stop();
      }
    },
  );
});
