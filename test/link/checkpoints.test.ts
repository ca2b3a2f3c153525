/**
 * Checkpoints between two real Kafka clusters: the sender queues a source group's committed
 * offsets (checkpoints), the receiver marks each record with its source offset
 * (sourceOffsetHeader), and a checkpoint stage at the destination translates the group's offsets
 * into destination offsets. The source topic is written in transactions, one aborted, so its
 * offsets have holes (commit markers, aborted records) that the destination's do not: a
 * translation by distance would be wrong; this one must be exact.
 */
import { randomBytes } from 'node:crypto';
import kafkajs, { type Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { checkpointKind, type Checkpoint } from '../../src/kinds/link/checkpoint.js';
import { kafkaSinkKind } from '../../src/kinds/kafka/sink.js';
import { kafkaSourceKind } from '../../src/kinds/kafka/source.js';
import { linkReceiverKind } from '../../src/kinds/link/receiver.js';
import { linkSenderKind } from '../../src/kinds/link/sender.js';
import { SOURCE_OFFSET_HEADER } from '../../src/link/offset-translation.js';
import { useKafka } from '../infra/kafka/fixture.js';
import { eventually } from '../kit/eventually.js';
import { freePort } from '../kit/free-port.js';
import { build, kafkaTransport, start } from '../kinds/kafka/helpers.js';

const PARTITIONS = 2;
const TRANSACTIONS = 6;
const PER_TRANSACTION = 20;
/** The transaction that is aborted: its records take offsets in the source but are never read. */
const ABORTED = 2;

function client(brokers: string[]): Kafka {
  return new kafkajs.Kafka({ brokers, clientId: 'checkpoints-test', logLevel: kafkajs.logLevel.NOTHING });
}

interface Read {
  offset: number;
  value: string;
  sourceOffset: number | undefined;
}

/** The records of a destination partition (offsets dense: no transaction markers) from `from` to its end now. */
async function readPartition(kafka: Kafka, topic: string, partition: number, from: number): Promise<Read[]> {
  const admin = kafka.admin();
  await admin.connect();
  const high = Number((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === partition)?.high);
  await admin.disconnect();
  const out: Read[] = [];
  if (from >= high) return out;
  const consumer = kafka.consumer({ groupId: `check-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic });
    await consumer.run({
      eachMessage: async ({ partition: p, message: m }) => {
        if (p !== partition || Number(m.offset) < from) return;
        const header = m.headers?.[SOURCE_OFFSET_HEADER];
        out.push({ offset: Number(m.offset), value: String(m.value), sourceOffset: header === undefined ? undefined : Number(String(header)) });
      },
    });
    consumer.seek({ topic, partition, offset: String(from) });
    await eventually(() => (out.at(-1)?.offset ?? -1) >= high - 1, { what: `${topic}/${partition} read to ${high}`, timeoutMs: 30_000 });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** The group's committed offsets on a cluster, partition by partition. */
async function groupOffsets(kafka: Kafka, group: string, topic: string): Promise<number[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return [...(entry?.partitions ?? [])].sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  } finally {
    await admin.disconnect();
  }
}

/** The values a member of `group` reads from its committed offsets on, once `count` arrived (and nothing more for a moment). */
async function readAsGroup(kafka: Kafka, group: string, topic: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
    await eventually(() => values.length >= count, { what: `${count} records read as group ${group}`, timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    await consumer.disconnect();
  }
  return values;
}

/** What the source holds at `offset` and after in partition p: transaction t at t*21 .. t*21+19 (its marker at t*21+20), the aborted one never read. */
function sourceValuesFrom(p: number, offset: number): string[] {
  const out: string[] = [];
  for (let t = 0; t < TRANSACTIONS; t++) {
    if (t === ABORTED) continue;
    for (let r = 0; r < PER_TRANSACTION; r++) if (t * (PER_TRANSACTION + 1) + r >= offset) out.push(`p${p} t${t} r${r}`);
  }
  return out;
}

describe('mirror checkpoints between two Kafka clusters', () => {
  const source = useKafka('a', 19092);
  const destination = useKafka('b', 29092);

  it("translates a source group's committed offsets into destination offsets from which it reads exactly what it had not read, across commit markers and an aborted transaction", async () => {
    const topic = `cp-${Date.now()}-${randomBytes(2).toString('hex')}`;
    const group = `${topic}-app`;
    const src = client(source.brokers);
    const admin = src.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
    const producer = src.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let t = 0; t < TRANSACTIONS; t++) {
      const tx = await producer.transaction();
      for (let p = 0; p < PARTITIONS; p++) {
        await tx.send({ topic, messages: Array.from({ length: PER_TRANSACTION }, (_, i) => ({ partition: p, value: `p${p} t${t} r${i}` })) });
      }
      if (t === ABORTED) await tx.abort();
      else await tx.commit();
    }
    await producer.disconnect();
    // Offsets in each partition: transaction t holds t*21 .. t*21+19, its marker t*21+20.
    // The group stopped at a record mid-transaction on p0 and at the aborted transaction on p1.
    const committed = [3 * 21 + 7, ABORTED * 21 + 5];
    for (let p = 0; p < PARTITIONS; p++) await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: p, offset: String(committed[p]) }] });
    await admin.disconnect();

    const port = await freePort();
    const offsetsTopic = `${topic}-group-offsets`;
    const checkpointsTopic = `${topic}-checkpoints`;
    const receiver = await start(
      build(kafkaTransport(destination.brokers), [
        { id: 'link', role: 'source', kind: linkReceiverKind, config: { link: 'cp', port, sourceOffsetHeader: true } },
        { id: 'mirror', role: 'sink', kind: kafkaSinkKind, config: { topic: '{stream}', encoding: 'raw', streamHeader: false, partition: 'source', linkSequence: true }, inputs: ['link'] },
        { id: 'offsets', role: 'source', kind: kafkaSourceKind, config: { group: `${topic}-translator`, topicPattern: `^${offsetsTopic}$`, topicRefreshMs: 500, encoding: 'json', sessionTimeoutMs: 6000 } },
        { id: 'translate', role: 'stage', kind: checkpointKind, config: { syncGroupOffsets: true }, inputs: ['offsets'] },
        { id: 'checkpoints', role: 'sink', kind: kafkaSinkKind, config: { topic: checkpointsTopic, encoding: 'json', streamHeader: false }, inputs: ['translate'] },
      ]),
    );
    const sender = await start(
      build(kafkaTransport(source.brokers), [
        { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: `${topic}-mirror`, topics: [topic], encoding: 'raw', sessionTimeoutMs: 6000 } },
        {
          id: 'out',
          role: 'sink',
          kind: linkSenderKind,
          config: { link: 'cp', host: '127.0.0.1', port, topicSpecs: true, checkpoints: { groups: `^${group}$`, intervalMs: 300, topic: offsetsTopic } },
          inputs: ['in'],
        },
      ]),
    );
    const dst = client(destination.brokers);
    const seen: Checkpoint[] = [];
    const reader = dst.consumer({ groupId: `check-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
    try {
      const mirrored = (TRANSACTIONS - 1) * PER_TRANSACTION;
      const expected: number[] = [];
      for (let p = 0; p < PARTITIONS; p++) {
        const all = await eventually(
          async () => {
            const got = await readPartition(dst, topic, p, 0).catch(() => []);
            return got.length >= mirrored && got;
          },
          { what: `partition ${p} mirrored`, timeoutMs: 60_000 },
        );
        expect(all).toHaveLength(mirrored);
        // Destination offsets are dense (0..99), source offsets are not: the answer is by the header.
        const before = all.filter((r) => (r.sourceOffset as number) < (committed[p] as number));
        expected.push(before.length === 0 ? 0 : (before[before.length - 1] as Read).offset + 1);
      }
      // On p0 that is not where the distance from the start would put it (commit markers and the aborted transaction in between).
      expect(expected[0]).not.toBe(committed[0]);

      const dstAdmin = dst.admin();
      await dstAdmin.connect();
      await eventually(async () => (await dstAdmin.listTopics()).includes(checkpointsTopic), { what: 'the checkpoints topic', timeoutMs: 60_000 });
      await dstAdmin.disconnect();
      await reader.connect();
      await reader.subscribe({ topics: [checkpointsTopic], fromBeginning: true });
      await reader.run({ eachMessage: async ({ message }) => void seen.push(JSON.parse(String(message.value)) as Checkpoint) });
      const latest = (p: number): Checkpoint | undefined => seen.filter((c) => c.partition === p).at(-1);
      const where = (): string =>
        JSON.stringify({ seen: seen.slice(-2), translate: receiver.nodes.get('translate')?.io[0]?.status?.(), out: sender.nodes.get('out')?.io[0]?.status?.() });
      await eventually(
        () => {
          expect([0, 1].map((p) => latest(p)?.destinationOffset), where()).toEqual(expected);
          return true;
        },
        { what: 'the checkpoints', timeoutMs: 60_000 },
      );
      for (const c of seen) {
        expect(c).toMatchObject({ link: 'cp', group, topic, sourceOffset: committed[c.partition] });
        // Before the mirror had caught up a checkpoint may be behind (the group reads a few records again), never ahead.
        expect(c.destinationOffset).toBeLessThanOrEqual(expected[c.partition] as number);
      }

      // From the checkpoints a reader of the destination gets exactly what the group had not read on the source.
      for (let p = 0; p < PARTITIONS; p++) {
        const there = await readPartition(dst, topic, p, expected[p] as number);
        const wanted = sourceValuesFrom(p, committed[p] as number);
        expect(there.map((r) => r.value)).toEqual(wanted);
        expect(wanted.length).toBeGreaterThan(0);
      }
      // syncGroupOffsets: the group itself moves by connecting to the destination, and reads the same.
      await eventually(
        async () => {
          expect(await groupOffsets(dst, group, topic)).toEqual(expected);
          return true;
        },
        { what: `the group's offsets on the destination at ${expected.join(', ')}` },
      );
      const moved = await readAsGroup(dst, group, topic, sourceValuesFrom(0, committed[0] as number).length + sourceValuesFrom(1, committed[1] as number).length);
      for (let p = 0; p < PARTITIONS; p++) expect(moved.filter((v) => v.startsWith(`p${p} `))).toEqual(sourceValuesFrom(p, committed[p] as number));
      expect(receiver.nodes.get('translate')?.io[0]?.status?.()).toMatchObject({ pending: expect.any(Number), synced: expect.any(Number) });
      expect((sender.nodes.get('out')?.io[0]?.status?.() as { groupOffsetsQueued: number }).groupOffsetsQueued).toBeGreaterThan(0);
    } finally {
      await reader.disconnect();
      await sender.stop();
      await receiver.stop();
    }
  }, 180_000);
});
