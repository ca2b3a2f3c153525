/**
 * The stream transport end to end on one machine (issue #14), side by side with Apache Flume's
 * tiered collection on the same Kafka broker:
 *   millrace  N agents (file tail -> agent sink) -> gateway -> Kafka     (bench/transport/millrace-tiers.ts)
 *   Flume     N agents (TAILDIR -> file channel -> avro sink) -> collector (avro source -> file
 *             channel -> Kafka sink)                                      (bench/transport/flume-tiers.ts)
 * Each agent tails one log file per stream (~200 B lines); every stream has its own topic.
 *
 *   npm run bench -- transport [--agents=2] [--streams=2] [--records=50000] [--rounds=3]
 *                              [--rate=500] [--seconds=15] [--only=throughput|latency]
 *                              [--side=millrace|flume]   (one side only: no ratios; for development)
 *   node --import tsx bench/transport.ts [the same] [--results=bench/results/transport-<what>.json]
 *
 * Throughput: the files are written beforehand; a run is both tiers from their start until Kafka
 * holds every record (the exact count checked, then the tiers are killed). The rate and the CPU
 * (whole process trees, from /proc) are taken over the steady window, from the first record seen
 * in Kafka to the last. Latency: with the tiers up, lines stamped with the time of their write are
 * appended at --rate records/s (well below either side's maximum) for --seconds; each record's
 * latency is the time the broker appended it (topics with message.timestamp.type LogAppendTime:
 * the time of Kafka's ack) minus its stamp, read back by a consumer; counts checked exactly. Each
 * round also measures the floor of this machine: the same lines produced straight to Kafka by the
 * writing process (kafkajs, acks=all), with no collection tier in between.
 * Rounds interleave the two sides (the order alternating); medians are reported.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { registerLz4 } from '../src/transport/lz4-codec.js';
import { ensureKafka } from '../test/infra/kafka/broker.js';
import { createTopic } from './peers.js';
import { kafkaTopic, type Destination } from './peers/destination.js';
import { REPO_ROOT } from './peers/job.js';
import { runOnce } from './peers/run-once.js';
import { arg, isMain, median, saveResult } from './standalone.js';
import { flumeTiers } from './transport/flume-tiers.js';
import { millraceTiers, registerStreams } from './transport/millrace-tiers.js';
import type { BenchStream, TiersPlan, TiersRunner } from './transport/plan.js';

const run = promisify(execFile);
const CLUSTER = 'millrace-transport-bench';
const PORT = 28192;
const LINE_BYTES = 200;

interface Side {
  name: 'millrace' | 'flume';
  prepare(plan: TiersPlan): Promise<void>;
  start: TiersRunner;
}

const SIDES: Side[] = [
  { name: 'millrace', prepare: registerStreams, start: millraceTiers },
  { name: 'flume', prepare: async () => undefined, start: flumeTiers },
];

export interface TransportBenchOptions {
  agents?: number;
  streamsPerAgent?: number;
  recordsPerStream?: number;
  rounds?: number;
  /** Records per second over all streams in the latency runs. */
  rate?: number;
  latencySeconds?: number;
  /** Only one of the two measurements (the other's fields are then empty). */
  only?: 'throughput' | 'latency';
  /** Only one side (a development run: the ratios are then absent). */
  side?: Side['name'];
}

type LatencyRun = SideSummary['latencyRuns'][number];

/** How the stamped lines of a latency run are written: to the tailed files, or straight to Kafka. */
interface LineWriter {
  write(stream: BenchStream, text: string): void;
  /** Why the run cannot go on (the tiers ended, a send failed), if so. */
  failed(): string | undefined;
  stop(): Promise<void>;
}

interface SideSummary {
  /** Records per second over the steady window, median of the rounds. */
  recordsPerSec: number;
  /** Record bytes (LF included) per second, same window. */
  mbPerSec: number;
  /** CPU seconds of the whole tree (agents and collector) per GB of records, steady window. */
  cpuSecondsPerGB: number;
  peakRssMB: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  runs: { recordsPerSec: number; cpuSecondsPerGB: number; wallSeconds: number }[];
  latencyRuns: { records: number; p50Ms: number; p99Ms: number; maxMs: number }[];
}

export interface TransportBenchResult {
  agents: number;
  streams: number;
  recordsPerRun: number;
  lineBytes: number;
  rounds: number;
  latencyRate: number;
  latencySeconds: number;
  millrace: SideSummary;
  flume: SideSummary;
  /** The same latency runs with no collection tier: the application produces to Kafka itself (the machine's floor for one hop). */
  floor: Pick<SideSummary, 'latencyP50Ms' | 'latencyP99Ms' | 'latencyRuns'>;
  /** millrace / Flume records per second, median of the rounds' ratios (target >= 2). */
  throughputRatio: number;
  /** Flume / millrace CPU seconds per GB (steady), median of the rounds' ratios. */
  cpuRatio: number;
  load: { before: string; after: string };
}

/** One ~200 B line (LF included): stream, sequence, the write time in ms, filler. */
function line(stream: string, seq: number, stamp: number): string {
  const head = `${stream} ${String(seq).padStart(9, '0')} t=${stamp} `;
  return head + 'x'.repeat(LINE_BYTES - 1 - head.length) + '\n';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function allTopics(admin: Admin, streams: BenchStream[]): Destination {
  const each = streams.map((s) => kafkaTopic(admin, s.topic));
  return {
    describe: `topics ${streams.map((s) => s.topic).join(', ')}`,
    count: async () => (await Promise.all(each.map((d) => d.count()))).reduce((a, b) => a + b, 0),
  };
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

export async function runTransportBench(opts: TransportBenchOptions = {}): Promise<TransportBenchResult> {
  const agentCount = opts.agents ?? 2;
  const streamsPerAgent = opts.streamsPerAgent ?? 2;
  const recordsPerStream = opts.recordsPerStream ?? 50_000;
  const rounds = opts.rounds ?? 3;
  const rate = opts.rate ?? 500;
  const latencySeconds = opts.latencySeconds ?? 15;
  const log = (msg: string): void => void process.stderr.write(`transport: ${msg}\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

  registerLz4();
  await run(join(REPO_ROOT, 'bench/peers/setup.sh'), { maxBuffer: 16 * 2 ** 20 });
  const loadBefore = (await run('uptime')).stdout.trim();
  log(`load before: ${loadBefore}`);
  const kafka = await ensureKafka(CLUSTER, PORT);
  const client = new Kafka({ brokers: kafka.brokers, clientId: 'transport-bench', logLevel: logLevel.NOTHING });
  const admin = client.admin();
  const workRoot = mkdtempSync(join(os.tmpdir(), 'millrace-transport-'));
  const stamp = Date.now().toString(36);
  let seq = 0;

  /** A fresh plan: directory, topics, empty log files, port. */
  const plan = async (side: { name: string; prepare: Side['prepare'] }, what: string): Promise<TiersPlan> => {
    seq += 1;
    const dir = join(workRoot, `${seq}-${what}-${side.name}`);
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const agents = Array.from({ length: agentCount }, (_, a) =>
      Array.from({ length: streamsPerAgent }, (_, s): BenchStream => {
        const id = `s${a}-${s}`;
        return { id, topic: `transport-${stamp}-${seq}-${side.name}-${id}`, file: join(dir, 'logs', `${id}.log`) };
      }),
    );
    for (const s of agents.flat()) writeFileSync(s.file, '');
    // Latency runs: the broker stamps each record with the time it appended it (the ack), so the
    // measurement ends at Kafka's ack, not when a consumer got round to reading it.
    const configs: Record<string, string> = what === 'latency' ? { 'message.timestamp.type': 'LogAppendTime' } : {};
    for (const s of agents.flat()) await createTopic(admin, s.topic, configs);
    const p: TiersPlan = { dir, brokers: kafka.brokers, agents, port: await freePort() };
    await side.prepare(p);
    return p;
  };

  const throughput = async (side: Side): Promise<SideSummary['runs'][number] & { peakRssMB: number }> => {
    const p = await plan(side, 'throughput');
    const streams = p.agents.flat();
    for (const s of streams) {
      let text = '';
      for (let i = 0; i < recordsPerStream; i++) text += line(s.id, i, 0);
      writeFileSync(s.file, text);
    }
    const expected = streams.length * recordsPerStream;
    const r = await runOnce({ name: `${side.name} transport`, start: () => side.start(p), destination: allTopics(admin, streams), expected, logFile: join(p.dir, 'tiers.log'), timeoutMs: 900_000 });
    const steadyRecords = expected - r.recordsBeforeSteady;
    const steadyBytes = steadyRecords * LINE_BYTES;
    const out = {
      recordsPerSec: Math.round(steadyRecords / r.steadySeconds),
      cpuSecondsPerGB: +(r.steadyCpuSeconds / (steadyBytes / 1e9)).toFixed(1),
      wallSeconds: +r.wallSeconds.toFixed(2),
      peakRssMB: Math.round(r.peakRssMB),
    };
    log(`${side.name} throughput: ${JSON.stringify(out)}`);
    rmSync(p.dir, { recursive: true, force: true });
    return out;
  };

  /** One latency run: stamped lines at `rate` through `start(plan)`'s writer, read back from Kafka. */
  const latency = async (side: { name: string; prepare: Side['prepare'] }, start: (p: TiersPlan) => Promise<LineWriter>): Promise<LatencyRun> => {
    const p = await plan(side, 'latency');
    const streams = p.agents.flat();
    const latencies: number[] = [];
    let seen = 0;
    // A lazy reader: latency is read off the broker's append time, so when the consumer reads does
    // not matter, and a reader fetching (and committing) once per record would load the broker the
    // tiers share with it (about a thousand requests a second at 500 records/s).
    const consumer = client.consumer({ groupId: `transport-bench-${stamp}-${seq}`, minBytes: 1 << 20, maxWaitTimeInMs: 250 });
    await consumer.connect();
    await consumer.subscribe({ topics: streams.map((s) => s.topic), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          seen += 1;
          const t = /t=(\d+)/.exec(m.value?.toString('latin1') ?? '')?.[1];
          if (t !== undefined && t !== '0') latencies.push(Number(m.timestamp) - Number(t));
        }
      },
    });
    const writer = await start(p);
    try {
      const until = async (n: number, ms: number, what: string): Promise<void> => {
        const deadline = Date.now() + ms;
        while (seen < n) {
          const failed = writer.failed();
          if (Date.now() > deadline || failed !== undefined) throw new Error(`${side.name} latency run: ${seen} of ${n} records read (${what}${failed === undefined ? '' : `; ${failed}`}); logs in ${p.dir}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      // Warm-up lines (stamp 0, not measured) until every stream is flowing end to end.
      for (const s of streams) writer.write(s, line(s.id, 0, 0));
      await until(streams.length, 180_000, 'warm-up');
      // Lines owed by the clock (not per tick, so a late timer on a loaded machine does not lower the rate).
      let written = 0;
      const t0 = performance.now();
      for (let elapsed = 0; elapsed < latencySeconds * 1000; elapsed = performance.now() - t0) {
        const n = Math.floor((elapsed * rate) / 1000 / streams.length) - written;
        if (n > 0) {
          const now = Date.now();
          for (const s of streams) {
            let text = '';
            for (let i = 1; i <= n; i++) text += line(s.id, written + i, now);
            writer.write(s, text);
          }
          written += n;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      const expected = streams.length * (written + 1);
      await until(expected, 60_000, 'the stamped lines');
      await new Promise((r) => setTimeout(r, 500));
      const inKafka = await allTopics(admin, streams).count();
      if (inKafka !== expected || seen !== expected) throw new Error(`${side.name} latency run: ${inKafka} records in Kafka and ${seen} read, expected exactly ${expected}`);
      latencies.sort((a, b) => a - b);
      const out = { records: latencies.length, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), maxMs: latencies[latencies.length - 1] ?? NaN };
      log(`${side.name} latency: ${JSON.stringify(out)}`);
      rmSync(p.dir, { recursive: true, force: true });
      return out;
    } finally {
      await writer.stop();
      await consumer.disconnect();
    }
  };

  /** The application writes its log files; the side's tiers carry them to Kafka. */
  const tiersWriter =
    (side: Side) =>
    async (p: TiersPlan): Promise<LineWriter> => {
      const tiers = side.start(p);
      return {
        write: (s, text) => appendFileSync(s.file, text),
        failed: () => (tiers.hasEnded() ? 'the tiers ended' : undefined),
        stop: async () => void (await tiers.stop()),
      };
    };

  /**
   * The machine's floor for the same lines: the application produces each write straight to
   * Kafka (kafkajs, acks=all, one request per stream per write), no collection tier at all.
   */
  const directWriter = async (): Promise<LineWriter> => {
    const producer = client.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    let failure: string | undefined;
    const sends = new Set<Promise<unknown>>();
    return {
      write: (s, text) => {
        const messages = text.split('\n').filter((l) => l !== '').map((l) => ({ value: l }));
        const send = producer.send({ topic: s.topic, acks: -1, messages }).catch((error: unknown) => void (failure ??= String(error)));
        sends.add(send);
        void send.finally(() => sends.delete(send));
      },
      failed: () => failure,
      stop: async () => {
        await Promise.allSettled([...sends]);
        await producer.disconnect();
      },
    };
  };

  try {
    await admin.connect();
    const tp = new Map<string, Awaited<ReturnType<typeof throughput>>[]>(SIDES.map((s) => [s.name, []]));
    const lat = new Map<string, LatencyRun[]>(SIDES.map((s) => [s.name, []]));
    const floor: LatencyRun[] = [];
    for (let round = 0; round < rounds; round++) {
      const sides = SIDES.filter((s) => opts.side === undefined || s.name === opts.side);
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      if (opts.only !== 'latency') for (const side of order) tp.get(side.name)!.push(await throughput(side));
      if (opts.only !== 'throughput') {
        for (const side of order) lat.get(side.name)!.push(await latency(side, tiersWriter(side)));
        floor.push(await latency({ name: 'direct', prepare: async () => undefined }, directWriter));
      }
    }
    const summary = (name: string): SideSummary => {
      const runs = tp.get(name)!;
      const latencyRuns = lat.get(name)!;
      return {
        recordsPerSec: median(runs.map((r) => r.recordsPerSec)),
        mbPerSec: +((median(runs.map((r) => r.recordsPerSec)) * LINE_BYTES) / 1e6).toFixed(1),
        cpuSecondsPerGB: median(runs.map((r) => r.cpuSecondsPerGB)),
        peakRssMB: median(runs.map((r) => r.peakRssMB)),
        latencyP50Ms: median(latencyRuns.map((r) => r.p50Ms)),
        latencyP99Ms: median(latencyRuns.map((r) => r.p99Ms)),
        runs: runs.map(({ recordsPerSec, cpuSecondsPerGB, wallSeconds }) => ({ recordsPerSec, cpuSecondsPerGB, wallSeconds })),
        latencyRuns,
      };
    };
    rmSync(workRoot, { recursive: true, force: true });
    const m = tp.get('millrace')!;
    const f = tp.get('flume')!;
    const pairs = m.flatMap((r, i) => (f[i] === undefined ? [] : [[r, f[i]] as const]));
    return {
      agents: agentCount,
      streams: agentCount * streamsPerAgent,
      recordsPerRun: agentCount * streamsPerAgent * recordsPerStream,
      lineBytes: LINE_BYTES,
      rounds,
      latencyRate: rate,
      latencySeconds,
      millrace: summary('millrace'),
      flume: summary('flume'),
      floor: { latencyP50Ms: median(floor.map((r) => r.p50Ms)), latencyP99Ms: median(floor.map((r) => r.p99Ms)), latencyRuns: floor },
      throughputRatio: +median(pairs.map(([mr, fr]) => mr.recordsPerSec / fr.recordsPerSec)).toFixed(2),
      cpuRatio: +median(pairs.map(([mr, fr]) => fr.cpuSecondsPerGB / mr.cpuSecondsPerGB)).toFixed(2),
      load: { before: loadBefore, after: (await run('uptime')).stdout.trim() },
    };
  } finally {
    await admin.disconnect();
    await kafka.stop();
  }
}

export function transportOptionsFromArgs(): TransportBenchOptions {
  const number = (name: string): number | undefined => {
    const raw = arg(name);
    if (raw === undefined) return undefined;
    const v = Number(raw);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}: a positive number, not ${raw}`);
    return v;
  };
  const only = arg('only');
  if (only !== undefined && only !== 'throughput' && only !== 'latency') throw new Error(`--only: throughput or latency, not ${only}`);
  const side = arg('side');
  if (side !== undefined && side !== 'millrace' && side !== 'flume') throw new Error(`--side: millrace or flume, not ${side}`);
  return {
    only,
    side,
    agents: number('agents'),
    streamsPerAgent: number('streams'),
    recordsPerStream: number('records'),
    rounds: number('rounds'),
    rate: number('rate'),
    latencySeconds: number('seconds'),
  };
}

if (isMain(import.meta.url)) {
  const result = await runTransportBench(transportOptionsFromArgs());
  await saveResult('transport', { ...result, measuredAt: new Date().toISOString(), node: process.version }, arg('results'));
  console.log(JSON.stringify(result, null, 2));
}
