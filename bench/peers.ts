/**
 * millrace against the collectors a user would otherwise pick, side by side on one local Kafka
 * broker (issue #11):
 *   file -> Kafka   millrace, Apache Flume 1.11, rsyslog omkafka, kcat          (acks=all, LZ4)
 *   Kafka -> Kafka  millrace, MirrorMaker 2, `kcat -C | kcat -P`               (acks=all, LZ4)
 *   file -> file    millrace file sink, rsyslog omfile                       (sync every batch)
 * for three record sizes (access-log lines ~180 B, short lines ~120 B, 1 KiB lines).
 *
 *   npm run bench -- peers [--lines=1000000] [--rounds=3] [--cases=access,small,kib]
 *                          [--workloads=file-kafka,kafka-kafka,file-file] [--peers=millrace,kcat,...]
 *                          [--results=bench/results/other.json]
 *   node --import tsx bench/peers.ts --lines 200000
 *
 * Peers come from the package registries only (bench/peers/setup.sh: Debian for rsyslog,
 * rsyslog-kafka and kcat; Maven Central for Flume, MirrorMaker 2 and the broker). Every run is
 * one peer from its process start until the destination holds every record, with the count
 * checked to be exact; peers that run until stopped are SIGKILLed then. Rounds are interleaved
 * (every peer once per round, the order rotating) and medians reported. 1 KiB lines use a fifth
 * of --lines; file -> file runs the access-log case only. Writes bench/results/peers.json.
 * millrace variants, run only when named in --peers: millrace-thread (the kafka sink with
 * `isolation: thread`), millrace-semi16 (Node's defaults: a 16 MB semi-space instead of
 * `npm run topology`'s 32) and millrace-semi64 (64 MB).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ensureKafka } from '../test/infra/kafka/broker.js';
import { inputFile, RECORD_CASES, type InputFile, type RecordCase } from './peers/data.js';
import { fileLines, kafkaTopic, type Destination } from './peers/destination.js';
import { flume } from './peers/flume.js';
import { LOG_FILE, REPO_ROOT, type Job, type PeerRunner, type Workload } from './peers/job.js';
import { kcat } from './peers/kcat.js';
import { millrace, millraceSemi16, millraceSemi64, millraceThread } from './peers/millrace.js';
import { mirroredTopic, mirrorMaker } from './peers/mirror-maker.js';
import { rsyslog } from './peers/rsyslog.js';
import { runOnce, type RunOnce } from './peers/run-once.js';
import { formatTable, summarize, withRatios, type PeerSummary } from './peers/table.js';
import { arg, isMain, saveResult } from './standalone.js';

const run = promisify(execFile);
const CLUSTER = 'millrace-peers-bench';
const PORT = 28092;

const PEERS: Record<Workload, Record<string, PeerRunner>> = {
  'file-kafka': { millrace, 'millrace-thread': millraceThread, 'millrace-semi16': millraceSemi16, 'millrace-semi64': millraceSemi64, flume, rsyslog, kcat },
  'kafka-kafka': { millrace, 'millrace-thread': millraceThread, 'millrace-semi16': millraceSemi16, 'millrace-semi64': millraceSemi64, 'mirror-maker-2': mirrorMaker, 'kcat-pipe': kcat },
  'file-file': { millrace, rsyslog },
};
const WORKLOADS = Object.keys(PEERS) as Workload[];
/** Run only when named in --peers. */
const VARIANTS = new Set(['millrace-thread', 'millrace-semi16', 'millrace-semi64']);
const CASES = Object.keys(RECORD_CASES) as RecordCase[];

export interface PeersBenchOptions {
  /** Lines of the access-log and short-line inputs (1 KiB: a fifth). Default 1 000 000. */
  lines?: number;
  rounds?: number;
  cases?: RecordCase[];
  workloads?: Workload[];
  /** Only these peers (millrace is always run: it is the reference). */
  peers?: string[];
  /** Longest one run may take, seconds (default 900). */
  timeoutSec?: number;
  resultsPath?: string | null;
  print?: boolean;
}

export interface PeersBenchResult {
  lines: number;
  rounds: number;
  inputs: { case: RecordCase; describe: string; lines: number; fileBytes: number }[];
  results: PeerSummary[];
  load: { before: string; after: string; cpus: number };
  node: string;
  date: string;
}

function listArg<T extends string>(name: string, known: readonly T[]): T[] | undefined {
  const raw = arg(name);
  if (raw === undefined) return undefined;
  const list = raw.split(',').filter((x) => x.length > 0);
  for (const x of list) if (!known.includes(x as T)) throw new Error(`--${name}: unknown ${x}; known: ${known.join(', ')}`);
  return list as T[];
}

async function uptime(): Promise<string> {
  return (await run('uptime')).stdout.trim();
}

function brokerPid(): number | undefined {
  if (process.env['MILLRACE_KAFKA_BROKERS'] !== undefined) return undefined;
  const infra = process.env['MILLRACE_KAFKA_INFRA_DIR'] ?? join(REPO_ROOT, '.infra/kafka');
  const pid = Number(readFileSync(join(infra, CLUSTER, 'pid'), 'utf8').trim());
  return Number.isInteger(pid) ? pid : undefined;
}

/**
 * Creates `topic` (3 partitions) and waits until its offsets can be read. Not kafkajs'
 * waitForLeaders: on a loaded machine its retries end in an unhandled rejection that kills node.
 */
export async function createTopic(admin: Admin, topic: string, configs: Record<string, string> = {}): Promise<void> {
  const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value }));
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1, configEntries }], waitForLeaders: false });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await admin.fetchTopicOffsets(topic).then((o) => o.length === 3, () => false);
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`topic ${topic} has no leaders 60 s after creation`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Fills `topic` with the lines of `input` (kcat, LZ4), the source of the Kafka -> Kafka runs. */
async function fillSourceTopic(admin: Admin, brokers: string[], topic: string, input: InputFile): Promise<void> {
  await createTopic(admin, topic);
  await run('kcat', ['-P', '-b', brokers.join(','), '-t', topic, '-z', 'lz4', '-X', 'acks=all', '-l', input.path]);
  const n = await kafkaTopic(admin, topic).count();
  if (n !== input.lines) throw new Error(`source topic ${topic} holds ${n} records, expected ${input.lines}`);
}

interface Planned {
  workload: Workload;
  input: InputFile;
  peer: string;
}

export async function runPeersBench(opts: PeersBenchOptions = {}): Promise<PeersBenchResult> {
  const lines = opts.lines ?? 1_000_000;
  const rounds = opts.rounds ?? 3;
  const cases = opts.cases ?? CASES;
  const workloads = opts.workloads ?? WORKLOADS;
  const timeoutMs = (opts.timeoutSec ?? 900) * 1000;
  const log = (msg: string): void => void process.stderr.write(`peers: ${msg}\n`);
  // Exit on Ctrl-C / SIGTERM through process.exit, so measure.ts stops the peer that is running.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

  await run(join(REPO_ROOT, 'bench/peers/setup.sh'), { maxBuffer: 16 * 2 ** 20 });
  const dataDir = join(REPO_ROOT, '.bench-data/peers');
  const inputs = new Map<RecordCase, InputFile>();
  for (const c of cases) inputs.set(c, await inputFile(dataDir, c, c === 'kib' ? Math.ceil(lines / 5) : lines));
  const warmInput = await inputFile(dataDir, 'access', 20_000);

  const loadBefore = await uptime();
  log(`load before: ${loadBefore}`);
  const kafka = await ensureKafka(CLUSTER, PORT);
  const client = new Kafka({ brokers: kafka.brokers, clientId: 'peers-bench', logLevel: logLevel.NOTHING });
  const admin = client.admin();
  const workRoot = mkdtempSync(join(os.tmpdir(), 'millrace-peers-'));
  const stamp = Date.now().toString(36);
  const runs = new Map<string, RunOnce[]>();
  try {
    await admin.connect();
    const pid = brokerPid();
    const sources = new Map<RecordCase, string>();
    if (workloads.includes('kafka-kafka')) {
      for (const [c, input] of inputs) {
        const topic = `peers-src-${c}-${stamp}`;
        await fillSourceTopic(admin, kafka.brokers, topic, input);
        sources.set(c, topic);
      }
    }
    const warmSource = `peers-src-warm-${stamp}`;
    if (workloads.includes('kafka-kafka')) await fillSourceTopic(admin, kafka.brokers, warmSource, warmInput);

    let seq = 0;
    const once = async (p: Planned, sourceTopic: string | undefined): Promise<RunOnce> => {
      seq += 1;
      const dir = join(workRoot, `${seq}-${p.workload}-${p.input.case}-${p.peer}`);
      mkdirSync(dir, { recursive: true });
      const tag = `${p.peer}-${seq}-${stamp}`;
      const job: Job = { workload: p.workload, dir, brokers: kafka.brokers, tag, input: p.input.path, sourceTopic };
      let destination: Destination;
      if (p.workload === 'file-file') {
        job.output = join(dir, 'out.log');
        destination = fileLines(job.output);
      } else {
        // MirrorMaker 2 decides the name of its copy; every peer writes to a topic named that way.
        job.topic = p.workload === 'kafka-kafka' ? mirroredTopic(`${p.peer}-${seq}`, sourceTopic!) : `peers-${tag}`;
        await createTopic(admin, job.topic);
        destination = kafkaTopic(admin, job.topic);
      }
      const result = await runOnce({
        name: `${p.peer} ${p.workload} ${p.input.case}`,
        start: () => PEERS[p.workload][p.peer]!(job),
        destination,
        expected: p.input.lines,
        logFile: join(dir, LOG_FILE),
        brokerPid: pid,
        timeoutMs,
      });
      if (job.topic !== undefined) await admin.deleteTopics({ topics: [job.topic] });
      rmSync(dir, { recursive: true, force: true });
      return result;
    };

    const plan: Planned[] = [];
    for (const workload of workloads) {
      for (const c of workload === 'file-file' ? cases.filter((x) => x === 'access') : cases) {
        const peers = Object.keys(PEERS[workload]).filter((p) => p === 'millrace' || (opts.peers === undefined ? !VARIANTS.has(p) : opts.peers.includes(p)));
        for (const peer of peers) plan.push({ workload, input: inputs.get(c)!, peer });
      }
    }
    // Warm-up (not measured): every peer once on a small input (JIT caches, jars and binaries in the page cache).
    for (const p of plan.filter((x) => x.input.case === 'access')) {
      log(`warm-up ${p.workload} ${p.peer}`);
      await once({ ...p, input: warmInput }, warmSource);
    }
    for (let r = 0; r < rounds; r++) {
      // Each group of peers that compete (same workload and case) runs back to back, in an order that rotates per round.
      const groups = new Map<string, Planned[]>();
      for (const p of plan) groups.set(`${p.workload}/${p.input.case}`, [...(groups.get(`${p.workload}/${p.input.case}`) ?? []), p]);
      for (const group of groups.values()) {
        const order = group.map((_, i) => group[(i + r) % group.length]!);
        for (const p of order) {
          log(`round ${r + 1}/${rounds}: ${p.workload} ${p.input.case} ${p.peer}`);
          const result = await once(p, sources.get(p.input.case));
          const key = `${p.workload}/${p.input.case}/${p.peer}`;
          runs.set(key, [...(runs.get(key) ?? []), result]);
          log(`  ${result.wallSeconds.toFixed(1)} s, ${result.cpuSeconds.toFixed(1)} CPU-s, ${Math.round(result.peakRssMB)} MB`);
        }
      }
    }
    for (const topic of [...sources.values(), warmSource]) await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  } finally {
    await admin.disconnect();
    await kafka.stop();
    rmSync(workRoot, { recursive: true, force: true });
  }

  const results = withRatios(
    [...runs].map(([key, list]) => {
      const [workload, c, peer] = key.split('/') as [Workload, RecordCase, string];
      const input = inputs.get(c)!;
      return summarize(workload, c, peer, input.lines, input.bytes - input.lines, list);
    }),
  );
  const loadAfter = await uptime();
  const result: PeersBenchResult = {
    lines,
    rounds,
    inputs: [...inputs.values()].map((i) => ({ case: i.case, describe: RECORD_CASES[i.case], lines: i.lines, fileBytes: i.bytes })),
    results,
    load: { before: loadBefore, after: loadAfter, cpus: os.cpus().length },
    node: process.version,
    date: new Date().toISOString(),
  };
  if (opts.print ?? true) {
    console.log(`peers: median of ${rounds} rounds; MB = MiB of record values, GB = GiB; rates from process start unless "steady"`);
    console.log(formatTable(results));
    console.log(`load before: ${loadBefore}\nload after:  ${loadAfter}`);
  }
  await saveResult('peers', result, opts.resultsPath);
  return result;
}

/** The options given on the command line (see the file comment). */
export function peersOptionsFromArgs(): PeersBenchOptions {
  const num = (name: string): number | undefined => {
    const v = Number(arg(name));
    return Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const allPeers = [...new Set(WORKLOADS.flatMap((w) => Object.keys(PEERS[w])))];
  return {
    lines: num('lines'),
    rounds: num('rounds'),
    timeoutSec: num('timeout'),
    cases: listArg('cases', CASES),
    workloads: listArg('workloads', WORKLOADS),
    peers: listArg('peers', allPeers),
    ...(arg('results') !== undefined && { resultsPath: arg('results') }),
  };
}

if (isMain(import.meta.url)) await runPeersBench(peersOptionsFromArgs());
