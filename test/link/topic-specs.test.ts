/**
 * A mirrored topic follows its source between two real Kafka clusters: the sender ships the
 * source topic's spec (partitions, configs set on it) with its first record and again when it
 * changed (`topicSpecs`, `topicSpecsRefreshMs`); the receiver's kafka sink (`partition: source`)
 * creates the destination topic from it, then alters it: configs set, changed and removed, and
 * partitions added. Configs that stay each cluster's own (min.insync.replicas, unclean leader
 * election, timestamps, throttles) are neither copied nor overwritten, and a topic of the sender's
 * own records (heartbeats) that exists at the destination is left as its owner set it.
 */
import { randomBytes } from 'node:crypto';
import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaSinkKind } from '../../src/kinds/kafka/sink.js';
import { kafkaSourceKind } from '../../src/kinds/kafka/source.js';
import { linkReceiverKind } from '../../src/kinds/link/receiver.js';
import { linkSenderKind } from '../../src/kinds/link/sender.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { useKafka } from '../infra/kafka/fixture.js';
import { eventually } from '../kit/eventually.js';
import { freePort } from '../kit/free-port.js';
import { build, kafkaTransport, start } from '../kinds/kafka/helpers.js';

function client(brokers: string[]): Kafka {
  return new kafkajs.Kafka({ brokers, clientId: 'topic-specs-test', logLevel: kafkajs.logLevel.NOTHING });
}

/** Partition count, configs set on the topic, and records held: what a user of the destination sees. */
async function topicState(admin: Admin, topic: string): Promise<{ partitions: number; configs: Record<string, string>; records: number } | undefined> {
  if (!(await admin.listTopics()).includes(topic)) return undefined;
  const offsets = await admin.fetchTopicOffsets(topic);
  const described = await admin.describeConfigs({ resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic }], includeSynonyms: false });
  const entries = described.resources[0]?.configEntries ?? [];
  const configs = Object.fromEntries(entries.filter((e) => e.configSource === kafkajs.ConfigSource.TOPIC_CONFIG).map((e) => [e.configName, e.configValue]));
  return { partitions: offsets.length, configs, records: offsets.reduce((n, o) => n + Number(o.high), 0) };
}

describe('a mirrored topic follows its source topic', () => {
  const source = useKafka('a', 19092);
  const destination = useKafka('b', 29092);

  it('is created alike, takes config changes (set, changed, removed) while the mirror runs, and gains the partitions added at the source', async () => {
    const topic = `specs-${Date.now()}-${randomBytes(2).toString('hex')}`;
    const src = client(source.brokers);
    const srcAdmin = src.admin();
    const dstAdmin = client(destination.brokers).admin();
    let producer = src.producer();
    await Promise.all([srcAdmin.connect(), dstAdmin.connect(), producer.connect()]);
    const entries = (configs: Record<string, string>): { name: string; value: string }[] => Object.entries(configs).map(([name, value]) => ({ name, value }));
    const alter = (admin: Admin, configs: Record<string, string>): Promise<unknown> =>
      admin.alterConfigs({ validateOnly: false, resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configEntries: entries(configs) }] });
    const first = { 'retention.ms': '3600000', 'max.message.bytes': '2000000' };
    await srcAdmin.createTopics({ topics: [{ topic, numPartitions: 2, configEntries: entries({ ...first, 'min.insync.replicas': '1' }) }] });
    const produce = (partition: number, n: number, tag: string): Promise<unknown> =>
      producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ partition, value: `${tag} ${i}` })) });

    // The heartbeat topic exists at the destination already, with a retention its owner chose.
    const heartbeats = `${topic}-hb`;
    await dstAdmin.createTopics({ topics: [{ topic: heartbeats, numPartitions: 1, configEntries: entries({ 'retention.ms': '60000' }) }] });
    const port = await freePort();
    const receiver = await start(
      build(kafkaTransport(destination.brokers), [
        { id: 'link', role: 'source', kind: linkReceiverKind, config: { link: 'specs', port } },
        { id: 'mirror', role: 'sink', kind: kafkaSinkKind, config: { topic: '{stream}', encoding: 'raw', streamHeader: false, partition: 'source' }, inputs: ['link'] },
      ]),
    );
    // One topology, started twice: the second sender takes over the first one's disk queue.
    const senderTopology = build(kafkaTransport(source.brokers), [
      { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: `${topic}-mirror`, topics: [topic], start: 'earliest', encoding: 'raw', sessionTimeoutMs: 6000 } },
      { id: 'out', role: 'sink', kind: linkSenderKind, config: { link: 'specs', host: '127.0.0.1', port, topicSpecs: true, topicSpecsRefreshMs: 300, heartbeat: { intervalMs: 200, topic: heartbeats } }, inputs: ['in'] },
    ]);
    const startSender = (): Promise<Runtime> => start(senderTopology);
    let sender = await startSender();
    const mirrored = (expected: { partitions: number; configs: Record<string, string>; records: number }, what: string): Promise<unknown> =>
      eventually(
        async () => {
          expect(await topicState(dstAdmin, topic)).toEqual(expected);
          return true;
        },
        { what, timeoutMs: 60_000 },
      );
    try {
      await produce(0, 5, 'a');
      await produce(1, 5, 'a');
      await mirrored({ partitions: 2, configs: first, records: 10 }, 'the destination topic created as in the source');

      // The destination's owner sets one of its own; the source's configs are changed, removed
      // (max.message.bytes back to the default) and added, while the mirror runs.
      const own = { 'unclean.leader.election.enable': 'true' };
      await alter(dstAdmin, { ...first, ...own });
      const second = { 'retention.ms': '7200000', 'segment.ms': '86400000' };
      await alter(srcAdmin, { ...second, 'min.insync.replicas': '1' });
      await new Promise((r) => setTimeout(r, 400)); // past topicSpecsRefreshMs: the next record takes the new spec
      await produce(0, 5, 'b');
      await mirrored({ partitions: 2, configs: { ...second, ...own }, records: 15 }, 'the config change followed');

      // Partitions added at the source reach the sender's consumer when it next reads the metadata (here: a restart).
      await srcAdmin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
      await sender.stop();
      sender = await startSender();
      // A new producer: kafkajs drops messages for partitions its cached metadata does not have.
      await producer.disconnect();
      producer = src.producer();
      await producer.connect();
      await produce(3, 5, 'c');
      await produce(2, 5, 'c');
      await mirrored({ partitions: 4, configs: { ...second, ...own }, records: 25 }, 'the partitions added');
      const offsets = await dstAdmin.fetchTopicOffsets(topic);
      expect(offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high))).toEqual([10, 5, 5, 5]);
      const beats = await topicState(dstAdmin, heartbeats);
      expect(beats?.records).toBeGreaterThan(0);
      expect(beats).toMatchObject({ partitions: 1, configs: { 'retention.ms': '60000' } });
    } finally {
      await sender.stop();
      await receiver.stop();
      await Promise.all([srcAdmin.disconnect(), dstAdmin.disconnect(), producer.disconnect()]);
    }
  }, 180_000);
});
