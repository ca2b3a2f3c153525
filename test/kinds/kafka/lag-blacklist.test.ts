import kafkajs, { type Admin, type Consumer, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkIO } from '../../../src/actors/io.js';
import type { SharedLease } from '../../../src/core/shared-resources.js';
import { acquireLagBlacklist } from '../../../src/kinds/kafka/lag-blacklist-open.js';
import type { LagBlacklist } from '../../../src/lag/blacklist.js';
import { lagBlacklistSchema } from '../../../src/kinds/kafka/lag-blacklist-config.js';
import { kafkaSinkKind } from '../../../src/kinds/kafka/sink.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import { murmur2 } from '../../../src/transport/kafka-wire/partitioning.js';
import { actorContext } from '../../kit/actor-context.js';
import { eventually } from '../../kit/eventually.js';
import { useKafka } from '../../infra/kafka/fixture.js';
import { ensureZooKeeper, type ZooKeeperHandle } from '../../infra/zookeeper/server.js';
import { kafkaTransport } from './helpers.js';

const unique = `${process.pid}-${Date.now()}`;
const template = `lag-${unique}-{stream}`;
const topic = `lag-${unique}-a`;
const group = `lag-consumers-${unique}`;
// Records per partition: 0-2 are consumed, 3-5 are not (their lag is these counts).
const COUNTS = [500, 500, 500, 1500, 2500, 3500];
const STALLED = new Set([3, 4, 5]);

describe('lag blacklist with real Kafka and ZooKeeper', () => {
  const kafka = useKafka();
  let zk: ZooKeeperHandle | undefined;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;
  const stalled = new Set(STALLED);
  const leases: SharedLease<LagBlacklist>[] = [];

  const settings = (zookeeper: boolean) =>
    lagBlacklistSchema.parse({
      groups: [group],
      k: 3,
      floor: 100,
      maxShare: 0.34,
      intervalMs: 500,
      ...(zookeeper ? { zookeeper: { connect: zk!.connect, sessionTimeoutMs: 2000, root: `/millrace-test/lag-${unique}` } } : {}),
    });
  const endOffsets = async (): Promise<number[]> => (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((p) => Number(p.high));

  beforeAll(async () => {
    zk = await ensureZooKeeper();
    const client = new kafkajs.Kafka({ brokers: kafka.brokers, clientId: 'lag-test', logLevel: kafkajs.logLevel.NOTHING });
    admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true });
    producer = client.producer();
    await producer.connect();
    await producer.send({ topic, messages: COUNTS.flatMap((n, partition) => Array.from({ length: n }, (_, i) => ({ partition, value: `p${partition}-${i}` }))) });
    // A downstream group that stops consuming partitions 3-5: it pauses them and never commits there.
    consumer = client.consumer({ groupId: group, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, pause }) => {
        if (stalled.has(batch.partition)) {
          pause();
          return;
        }
        for (const m of batch.messages) resolveOffset(m.offset);
      },
    });
    await eventually(async () => {
      const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      return offsets!.partitions.filter((p) => p.partition < 3).every((p) => Number(p.offset) === 500);
    }, { what: 'the group to commit partitions 0-2', timeoutMs: 60_000, intervalMs: 200 });
  }, 240_000);

  afterAll(async () => {
    for (const lease of leases) await lease.release();
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
    await zk?.stop();
  }, 60_000);

  it('on the embedded log (no Kafka cluster to read lag from) the sink refuses to connect, saying what to change', async () => {
    const config = kafkaSinkKind.config.parse({ topic: template, lagBlacklist: settings(false) });
    const sink = (await kafkaSinkKind.create(config, actorContext({ id: 'embedded' }))) as SinkIO;
    await expect(sink.connect()).rejects.toThrow(/lagBlacklist reads consumer lag from a Kafka cluster, but this sink writes to the embedded log/);
    await sink.close();
  });

  it('one instance on its own (local store) takes out the two partitions lagging most: the cap of 0.34 x 6 leaves partition 3 in', async () => {
    const lease = await acquireLagBlacklist(actorContext({ id: 'alone', transport: kafkaTransport(kafka.brokers) }), settings(false), template, kafkaTransport(kafka.brokers));
    try {
      expect([...lease.resource.excluded(topic)]).toEqual([4, 5]);
      expect(lease.resource.status()).toMatchObject({ store: 'local', writer: true, excluded: { [topic]: [4, 5] } });
    } finally {
      await lease.release();
    }
  });

  it('is shared by two instances through ZooKeeper (one writer), steers the sink\'s unkeyed records away, survives the writer leaving, and puts partitions back when the lag drops', async () => {
    const transport = kafkaTransport(kafka.brokers);
    const sinkConfig = kafkaSinkKind.config.parse({ topic: template, lagBlacklist: settings(true), cluster: transport });
    const sink = (await kafkaSinkKind.create(sinkConfig, actorContext({ id: 'gateway-a', transport }))) as SinkIO;
    await sink.connect();
    const other = await acquireLagBlacklist(actorContext({ id: 'gateway-b', transport }), settings(true), template, transport);
    leases.push(other);
    const changes: number[][] = [];
    other.resource.on('change', (t, excluded) => t === topic && changes.push([...excluded]));

    const sinkView = (): Record<string, unknown> => (sink.status?.() as { lagBlacklist: Record<string, unknown> }).lagBlacklist;
    await eventually(() => JSON.stringify(sinkView()['excluded']) === JSON.stringify({ [topic]: [4, 5] }) || undefined, { what: 'the sink instance\'s blacklist' });
    await eventually(() => [...other.resource.excluded(topic)].join() === '4,5' || undefined, { what: 'the other instance\'s blacklist' });
    expect([sinkView()['writer'], other.resource.status()['writer']].filter(Boolean)).toHaveLength(1);
    expect(other.resource.status()['store']).toBe('zookeeper');

    // Unkeyed records avoid 4 and 5; keyed records keep their partition, excluded or not.
    const before = await endOffsets();
    const keyFor5 = Array.from({ length: 1000 }, (_, i) => `key-${i}`).find((k) => (murmur2(k) & 0x7fffffff) % 6 === 5)!;
    for (let i = 0; i < 30; i++) {
      await sink.write(makeBatch(Array.from({ length: 20 }, (_, j) => ({ value: `unkeyed-${i}-${j}`, stream: 'a', ts: Date.now() })), Ack.none(), 'test'));
    }
    await sink.write(makeBatch(Array.from({ length: 7 }, (_, j) => ({ value: `keyed-${j}`, key: keyFor5, stream: 'a', ts: Date.now() })), Ack.none(), 'test'));
    const after = await endOffsets();
    const grew = after.map((end, p) => end - before[p]!);
    expect(grew[4]).toBe(0);
    expect(grew[5]).toBe(7);
    expect(grew[0]! + grew[1]! + grew[2]! + grew[3]!).toBe(600);
    expect(grew.slice(0, 4).filter((n) => n > 0).length).toBeGreaterThan(1);

    // The sink's instance leaves (its session closes): the other one becomes the writer.
    await sink.close();
    await eventually(() => other.resource.status()['writer'] === true || undefined, { what: 'the other instance to take over writing', timeoutMs: 10_000 });

    // The group catches up on 3-5: every partition comes back.
    stalled.clear();
    consumer.resume([{ topic, partitions: [3, 4, 5] }]);
    await eventually(() => other.resource.excluded(topic).size === 0 || undefined, { what: 'partitions 4 and 5 back in rotation', timeoutMs: 30_000, intervalMs: 100 });
    expect(changes.at(-1)).toEqual([]);
  }, 90_000);
});
