/**
 * The Kafka data path of two millrace checkouts side by side: file -> Kafka and Kafka -> Kafka,
 * each as a real `millrace run` process (acks=all, idempotent, LZ4), in interleaved rounds.
 *
 *   node --import tsx bench/kafka-path.ts --ref /path/to/other/checkout [--lines 1000000] [--rounds 3]
 *
 * Data: access-log lines of about 190 B. Each run is verified by record count (the topic's end
 * offsets). Reports per checkout the median wall time, CPU seconds (user + sys of the process)
 * per GB of input, throughput and peak RSS. Kafka -> Kafka runs until the target topic holds every
 * record (the process is then stopped), so its wall time is time to copy, not to shut down.
 * Starts its own broker (cluster "millrace-kafka-bench" on 27092). Writes bench/results/kafka-path.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { ensureKafka } from '../test/infra/kafka/broker.js';
import { isMain, median, numberArg, saveResult } from './standalone.js';
import { topologyFlags } from './topology-flags.js';

const HERE = path.resolve(import.meta.dirname, '..');

interface Run {
  wallS: number;
  cpuS: number;
  rssMb: number;
}

/** Writes `lines` access-log lines of about 190 B (deterministic). */
async function writeData(file: string, lines: number): Promise<void> {
  const out = createWriteStream(file);
  const paths = ['/api/v1/orders', '/static/app.js', '/login', '/api/v1/cart/items', '/img/banner-large.png'];
  const agents = ['Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', 'curl/8.5.0', 'Mozilla/5.0 (Macintosh) Safari/605.1.15'];
  let seed = 1;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  for (let i = 0; i < lines; i++) {
    const line = `10.${rnd(255)}.${rnd(255)}.${rnd(255)} - - [12/Mar/2025:10:${String(rnd(60)).padStart(2, '0')}:${String(rnd(60)).padStart(2, '0')} +0000] "GET ${paths[rnd(5)]}?id=${rnd(1e9)} HTTP/1.1" ${[200, 200, 304, 404][rnd(4)]} ${rnd(50000)} "https://shop.example/" "${agents[rnd(3)]}"\n`;
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

/** Runs `millrace run` of `checkout` under /usr/bin/time; resolves with its times once `done` says so (or it exits). */
function runMillrace(checkout: string, topology: string, done?: () => Promise<boolean>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'TIME %U %S %M', 'node', ...topologyFlags, path.join(checkout, 'bin/millrace.js'), 'run', topology], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let wallS = 0;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timer: NodeJS.Timeout | undefined;
    if (done !== undefined) {
      const poll = async (): Promise<void> => {
        if (await done()) {
          wallS = (performance.now() - t0) / 1000;
          // Stops millrace (the child of /usr/bin/time), so time still reports.
          for (const pid of execFileSync('pgrep', ['-P', String(child.pid)]).toString().trim().split('\n')) process.kill(Number(pid), 'SIGTERM');
          return;
        }
        timer = setTimeout(() => void poll(), 200);
      };
      timer = setTimeout(() => void poll(), 200);
    }
    child.on('exit', () => {
      clearTimeout(timer);
      const m = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      if (m === null) return reject(new Error(`no times from ${checkout}: ${stderr.slice(-2000)}`));
      resolve({ wallS: wallS || (performance.now() - t0) / 1000, cpuS: Number(m[1]) + Number(m[2]), rssMb: Number(m[3]) / 1024 });
    });
  });
}

export async function runKafkaPathBench(opts: { ref: string; lines: number; rounds: number }): Promise<unknown> {
  const kafka = await ensureKafka('millrace-kafka-bench', 27092);
  const client = new kafkajs.Kafka({ brokers: kafka.brokers, logLevel: kafkajs.logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  const count = async (topic: string): Promise<number> => {
    try {
      return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    } catch {
      return 0;
    }
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kafka-path-'));
  const data = path.join(os.tmpdir(), `kafka-path-${opts.lines}.log`);
  if (!existsSync(data)) await writeData(data, opts.lines);
  const gb = statSync(data).size / 1e9;
  const checkouts = { ref: path.resolve(opts.ref), new: HERE };
  const runs: Record<string, { fileToKafka: Run[]; kafkaToKafka: Run[] }> = { ref: { fileToKafka: [], kafkaToKafka: [] }, new: { fileToKafka: [], kafkaToKafka: [] } };
  const stamp = Date.now();
  const transport = `transport: { type: kafka, brokers: [${kafka.brokers.join(',')}] }`;
  for (let round = 0; round < opts.rounds; round++) {
    for (const name of round % 2 === 0 ? (['ref', 'new'] as const) : (['new', 'ref'] as const)) {
      const tag = `${stamp}-${round}-${name}`;
      const toKafka = path.join(dir, `f2k-${tag}.yaml`);
      writeFileSync(toKafka, `name: f2k\ndataDir: ${dir}/state-f2k-${tag}\n${transport}\nsources:\n  in: { kind: file, mode: once, paths: [${data}] }\nsinks:\n  out: { kind: kafka, inputs: [in], topic: f2k-${tag}, compression: lz4 }\n`);
      const f2k = await runMillrace(checkouts[name], toKafka);
      const produced = await count(`f2k-${tag}`);
      if (produced < opts.lines) throw new Error(`${name}: file -> kafka wrote ${produced} of ${opts.lines} records`);
      runs[name]!.fileToKafka.push(f2k);
      const copy = path.join(dir, `k2k-${tag}.yaml`);
      writeFileSync(copy, `name: k2k\ndataDir: ${dir}/state-k2k-${tag}\n${transport}\nsources:\n  in: { kind: kafka, topics: [f2k-${tag}], group: k2k-${tag} }\nsinks:\n  out: { kind: kafka, inputs: [in], topic: k2k-${tag}, compression: lz4 }\n`);
      runs[name]!.kafkaToKafka.push(await runMillrace(checkouts[name], copy, async () => (await count(`k2k-${tag}`)) >= produced));
    }
  }
  await admin.disconnect();
  const summary = (rs: Run[], gigabytes: number, records: number): Record<string, number> => ({
    wallS: median(rs.map((r) => r.wallS)),
    cpuSPerGB: median(rs.map((r) => r.cpuS / gigabytes)),
    recordsPerS: median(rs.map((r) => records / r.wallS)),
    peakRssMb: Math.max(...rs.map((r) => r.rssMb)),
  });
  const result = {
    lines: opts.lines,
    inputGB: gb,
    rounds: opts.rounds,
    ref: opts.ref,
    fileToKafka: { ref: summary(runs.ref!.fileToKafka, gb, opts.lines), new: summary(runs.new!.fileToKafka, gb, opts.lines) },
    kafkaToKafka: { ref: summary(runs.ref!.kafkaToKafka, gb, opts.lines), new: summary(runs.new!.kafkaToKafka, gb, opts.lines) },
    runs,
    loadAverage: os.loadavg(),
    date: new Date().toISOString(),
  };
  return result;
}

if (isMain(import.meta.url)) {
  const refIndex = process.argv.indexOf('--ref');
  const ref = refIndex > 0 ? process.argv[refIndex + 1] : undefined;
  if (ref === undefined) throw new Error('give --ref <checkout> (e.g. a git worktree of main)');
  const result = await runKafkaPathBench({ ref, lines: numberArg('lines') ?? 1_000_000, rounds: numberArg('rounds') ?? 3 });
  console.log(JSON.stringify(result, (k, v) => (k === 'runs' ? undefined : v), 2));
  await saveResult('kafka-path', result, undefined);
}
