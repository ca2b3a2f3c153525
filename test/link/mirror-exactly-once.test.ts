/**
 * A mirror between two real Kafka clusters, sender and receiver as `millrace run` processes:
 * kafka source (cluster a) -> link sink -> TCP -> link source -> kafka sink with
 * `partition: source, linkSequence: true` (cluster b). While records are still being produced to
 * the source, the receiver, the sender, or both are killed with SIGKILL 10 times and started
 * again. The destination topic does not exist: the receiver creates it from the source topic's
 * spec (partition count and configs) that the sender ships (`topicSpecs: true`). A consumer of
 * the destination must see every source record exactly once, in its source partition, in order,
 * with its key, headers and timestamp.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { useKafka } from '../infra/kafka/fixture.js';
import { eventually } from '../kit/eventually.js';
import { freePort } from '../kit/free-port.js';
import { millrace, topologyDir, type Exited } from '../cli/process.js';

const PARTITIONS = 3;
const KILLS = 10;
/** Source records a second, produced until the last kill: every kill happens mid-stream. */
const RATE = 300;
/** Timestamps near now: older ones would fall to the brokers' time retention mid-test. */
const T0 = Date.now();
/** A config set on the source topic, which the destination topic must be created with. */
const SOURCE_CONFIGS = { 'max.message.bytes': '2000000', 'cleanup.policy': 'delete' };

/** `<name>:<port>` of a cluster, overridable for runs beside other users of the default ports. */
function cluster(env: string, name: string, port: number): [string, number] {
  const [n, p] = (process.env[env] ?? `${name}:${port}`).split(':');
  return [n as string, Number(p)];
}

function client(brokers: string[]): Kafka {
  return new kafkajs.Kafka({ brokers, clientId: 'mirror-exactly-once', logLevel: kafkajs.logLevel.NOTHING });
}

/** Produces `p<p> n<i>` to partition p (i = 0, 1, ... in each), with keys murmur2 would place elsewhere, at RATE a second until `stop`. */
async function produceSource(kafka: Kafka, topic: string, produced: { perPartition: number; stop: boolean }): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const step = 60;
    for (let i = 0; !produced.stop; i += step) {
      const began = Date.now();
      const messages = [];
      for (let p = 0; p < PARTITIONS; p++) {
        for (let j = i; j < i + step; j++) messages.push({ partition: p, key: `key-${j}`, value: `p${p} n${j} ${'x'.repeat(60)}`, headers: { h: `${p}-${j}` }, timestamp: String(T0 + j) });
      }
      await producer.send({ topic, acks: -1, messages });
      produced.perPartition += step;
      await new Promise((r) => setTimeout(r, Math.max(0, (messages.length / RATE) * 1000 - (Date.now() - began))));
    }
  } finally {
    await producer.disconnect();
  }
}

async function destinationCount(admin: Admin, topic: string): Promise<number> {
  if (!(await admin.listTopics()).includes(topic)) return 0;
  return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
}

/** Source records the sender has queued (its group's committed offsets). */
async function senderCount(admin: Admin, group: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

interface Seen {
  partition: number;
  key: string;
  value: string;
  h: string;
  ts: number;
  headerNames: string[];
}

async function readDestination(kafka: Kafka, topic: string, total: number): Promise<Seen[]> {
  const consumer = kafka.consumer({ groupId: `check-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
  const seen: Seen[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({ partition, key: String(message.key), value: String(message.value), h: String(message.headers?.['h']), ts: Number(message.timestamp), headerNames: Object.keys(message.headers ?? {}).sort() });
      },
    });
    await eventually(() => seen.length >= total, { what: `${total} records in the destination`, timeoutMs: 60_000 });
    // Nothing more comes later (no late duplicates).
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

type Victim = 'receiver' | 'sender' | 'both';

describe('mirror between two Kafka clusters under kill -9', () => {
  const [srcName, srcPort] = cluster('MILLRACE_MIRROR_SRC', 'a', 19092);
  const [dstName, dstPort] = cluster('MILLRACE_MIRROR_DST', 'b', 29092);
  const source = useKafka(srcName, srcPort);
  const destination = useKafka(dstName, dstPort);

  it.each<Victim>(['receiver', 'sender', 'both'])(
    'the %s killed 10 times mid-stream: every source record exactly once in the destination, in its source partition, in order',
    async (victim) => {
      const id = randomBytes(4).toString('hex');
      const topic = `orders-${id}`;
      const dstTopic = `dst-${topic}`;
      const src = client(source.brokers);
      const dst = client(destination.brokers);
      const srcAdmin = src.admin();
      await srcAdmin.connect();
      await srcAdmin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, configEntries: Object.entries(SOURCE_CONFIGS).map(([name, value]) => ({ name, value })) }], waitForLeaders: true });
      const port = await freePort();
      const sender = topologyDir(`name: sender
dataDir: data
transport: { type: kafka, brokers: ${JSON.stringify(source.brokers)} }
sources:
  in: { kind: kafka, topics: [${topic}], group: mirror-${id}, start: earliest, encoding: raw, sessionTimeoutMs: 6000 }
sinks:
  out: { kind: link, inputs: [in], link: eos-${id}, host: 127.0.0.1, port: ${port}, maxBatchRecords: 200, ackTimeoutMs: 5000, backoff: { initialMs: 50, maxMs: 500 }, topicSpecs: true, heartbeat: { intervalMs: 200, topic: hb-${id} } }
`);
      const receiver = topologyDir(`name: receiver
dataDir: data
transport: { type: kafka, brokers: ${JSON.stringify(destination.brokers)} }
sources:
  in: { kind: link, link: eos-${id}, host: 127.0.0.1, port: ${port}, batchSize: 200 }
sinks:
  out: { kind: kafka, inputs: [in], topic: "dst-{stream}", encoding: raw, streamHeader: false, partition: source, linkSequence: true }
`);

      const running: { proc: ChildProcess; exited: Promise<Exited> }[] = [];
      const start = (file: string): { proc: ChildProcess; exited: Promise<Exited> } => {
        const p = millrace(['run', file]);
        running.push(p);
        return p;
      };
      const dstAdmin = dst.admin();
      await dstAdmin.connect();
      const produced = { perPartition: 0, stop: false };
      const producing = produceSource(src, topic, produced);
      try {
        const began = performance.now();
        let rcv = start(receiver.file);
        let snd = start(sender.file);
        // How far a victim got: the receiver by what reached the destination, the sender by what its group committed (queued).
        const progress = async (): Promise<number[]> => [await destinationCount(dstAdmin, dstTopic), await senderCount(srcAdmin, `mirror-${id}`, topic)];
        const watched = victim === 'receiver' ? [0] : victim === 'sender' ? [1] : [0, 1];
        let last = [0, 0];
        for (let k = 0; k < KILLS; k++) {
          // Each kill after the restarted victims moved records again.
          const before = last;
          await eventually(
            async () => {
              const now = await progress();
              return watched.every((i) => (now[i] as number) >= (before[i] as number) + 100);
            },
            { what: `progress before kill ${k + 1}`, timeoutMs: 60_000, intervalMs: 50 },
          );
          const victims = victim === 'both' ? [rcv, snd] : victim === 'receiver' ? [rcv] : [snd];
          for (const v of victims) v.proc.kill('SIGKILL');
          for (const v of victims) expect((await v.exited).signal).toBe('SIGKILL');
          // The destination topic may be new here, its leader not yet known: retry what is retriable.
          last = await eventually(progress, { what: `progress after kill ${k + 1}` });
          console.info(`mirror kill ${k + 1} (${victim}): ${last.join('/')} in the destination/queued, ${produced.perPartition * PARTITIONS} produced, ${Math.round(performance.now() - began)} ms`);
          if (victim !== 'sender') rcv = start(receiver.file);
          if (victim !== 'receiver') snd = start(sender.file);
        }
        produced.stop = true;
        await producing;
        const perPartition = produced.perPartition;
        const total = PARTITIONS * perPartition;
        const seen = await readDestination(dst, dstTopic, total);
        // Created as in the source.
        const { topics } = await dstAdmin.fetchTopicMetadata({ topics: [dstTopic] });
        expect(topics[0]?.partitions.length).toBe(PARTITIONS);
        const described = await dstAdmin.describeConfigs({ resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: dstTopic }], includeSynonyms: false });
        const configs = Object.fromEntries((described.resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
        expect(configs).toMatchObject(SOURCE_CONFIGS);
        expect(seen.length).toBe(total);
        expect(new Set(seen.map((s) => s.value)).size).toBe(total);
        for (let p = 0; p < PARTITIONS; p++) {
          const mine = seen.filter((s) => s.partition === p);
          expect(mine.map((s) => s.value.split(' ').slice(0, 2).join(' '))).toEqual(Array.from({ length: perPartition }, (_, i) => `p${p} n${i}`));
          expect(mine.every((s, i) => s.key === `key-${i}` && s.h === `${p}-${i}` && s.ts === T0 + i)).toBe(true);
          // The source's headers and the link sequence number; the topic spec is not passed on.
          expect(mine.every((s) => s.headerNames.join() === 'h,millrace.link-seq')).toBe(true);
        }
        // Heartbeats crossed the kills too: their topic created with one partition, each heartbeat once, in the order queued.
        const hbTopic = `dst-hb-${id}`;
        const beats = await readDestination(dst, hbTopic, await destinationCount(dstAdmin, hbTopic));
        expect(beats.length).toBeGreaterThan(KILLS);
        expect(beats.every((b) => b.partition === 0 && b.key === `eos-${id}`)).toBe(true);
        expect(new Set(beats.map((b) => b.value)).size).toBe(beats.length);
        const sentAt = beats.map((b) => (JSON.parse(b.value) as { ts: number }).ts);
        expect(sentAt).toEqual([...sentAt].sort((a, b) => a - b));
      } catch (err) {
        for (const p of running) p.proc.kill('SIGKILL');
        const outputs = await Promise.all(running.map((p) => p.exited));
        throw new Error(`${(err as Error).message}\n${outputs.map((o, i) => `--- process ${i}:\n${o.stderr.slice(-2000)}${o.stdout.slice(-2000)}`).join('\n')}`, { cause: err });
      } finally {
        for (const p of running) p.proc.kill('SIGKILL');
        await Promise.all(running.map((p) => p.exited));
        produced.stop = true;
        await producing.catch(() => undefined);
        await dstAdmin.disconnect();
        await srcAdmin.disconnect();
      }
    },
    420_000,
  );
});
