/**
 * Dispatch into Parquet (issue #15): 10 streams of 1 KiB JSON records in Kafka -> `millrace
 * dispatch --once` (one job per stream: kafka source -> hive sink on the local backend, snappy)
 * -> Parquet files, against the bound: the Parquet library alone (apache-arrow's vectorFromArray +
 * parquet-wasm) writing the same rows from memory, already in columns, in files of the sink's
 * commit size, on the main thread (bench/hive.ts `bound`).
 *
 *   npm run bench -- dispatch            (or: node --import tsx bench/dispatch.ts [--rows 300000] [--rounds 3])
 *
 * The topics are filled once; each round registers the streams anew (new ids over the same
 * topics, so a fresh consumer group reads every record) in a fresh registry and data directory.
 * A run is the dispatcher process from its start until it exits by itself (`--once`: every
 * stream read to its end and committed); the rows in the written Parquet files are counted and
 * must equal the records. The fixed cost of a run (process start, ten group joins, finding each
 * topic's end) is measured as the same run over ten empty topics, and reported beside the whole
 * runs: `workRatio` compares the bound with the run less that cost. Rounds interleave the three;
 * medians. Writes bench/results/dispatch.json.
 */
import { readdirSync, readFileSync, rmSync, mkdtempSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { Kafka, logLevel } from 'kafkajs';
import { readParquet } from 'parquet-wasm/node';
import { StreamRegistry } from '../src/db/stream-registry.js';
import { ensureKafka } from '../test/infra/kafka/broker.js';
import { bound, cellsOf, columns, records } from './hive.js';
import { compiledCli } from './compiled-cli.js';
import { createTopic } from './peers.js';
import { startMeasured } from './peers/measure.js';
import { isMain, median, numberArg, saveResult } from './standalone.js';

const CLUSTER = 'millrace-dispatch-bench';
const PORT = 28392;
const STREAMS = 10;

interface Run {
  seconds: number;
  cpuSeconds: number;
  rows: number;
}

/** Rows in every Parquet file below `dir`. */
function parquetRows(dir: string): number {
  let rows = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }) as { isFile(): boolean; parentPath: string; name: string }[]) {
    if (!e.isFile() || !e.name.endsWith('.parquet') || e.name.startsWith('.')) continue;
    rows += arrow.tableFromIPC(readParquet(readFileSync(join(e.parentPath, e.name))).intoIPCStream()).numRows;
  }
  return rows;
}

export async function runDispatchBench(options: { rows?: number; rounds?: number } = {}): Promise<Record<string, unknown>> {
  const total = options.rows ?? 300_000;
  const rounds = options.rounds ?? 3;
  const perStream = Math.floor(total / STREAMS);
  const log = (m: string): void => void process.stderr.write(`dispatch: ${m}\n`);
  const kafka = await ensureKafka(CLUSTER, PORT);
  const client = new Kafka({ brokers: kafka.brokers, clientId: 'dispatch-bench', logLevel: logLevel.NOTHING });
  const admin = client.admin();
  const work = mkdtempSync(join(tmpdir(), 'millrace-dispatch-bench-'));
  const stamp = Date.now().toString(36);
  try {
    await admin.connect();
    const input = records(perStream * STREAMS);
    const full = Array.from({ length: STREAMS }, (_, s) => `dispatch-${stamp}-s${s}`);
    const empty = full.map((t) => `${t}-empty`);
    for (const topic of [...full, ...empty]) await createTopic(admin, topic);
    const producer = client.producer();
    await producer.connect();
    for (let s = 0; s < STREAMS; s++) {
      const mine = input.slice(s * perStream, (s + 1) * perStream);
      for (let i = 0; i < mine.length; i += 2000)
        await producer.send({ topic: full[s] as string, acks: -1, messages: mine.slice(i, i + 2000).map((r, k) => ({ key: String(k % 16), value: Buffer.from(r.value as Uint8Array) })) });
    }
    await producer.disconnect();
    log(`${input.length} records of ${(input[0]?.value as Uint8Array).byteLength} bytes in ${STREAMS} topics`);
    const data = cellsOf(input);

    let seq = 0;
    const dispatch = async (topics: readonly string[], expected: number): Promise<Run> => {
      seq += 1;
      const dir = join(work, String(seq));
      mkdirSync(dir, { recursive: true });
      const registry = await StreamRegistry.open({ path: join(dir, 'streams.db') });
      try {
        for (const [s, topic] of topics.entries()) {
          const hive = { type: 'hive', id: 'lake', backend: { type: 'local', dir: 'warehouse' }, table: `s${s}`, columns, timeField: 'ts', compaction: { enabled: false } };
          await registry.add({ id: `r${seq}-s${s}`, topic, format: 'json', sinks: [hive] });
        }
      } finally {
        await registry.close();
      }
      const argv = [compiledCli(), 'dispatch', '--once', '--registry', join(dir, 'streams.db'), '--brokers', kafka.brokers.join(','), '--data-dir', join(dir, 'data')];
      const t0 = performance.now();
      const usage = await startMeasured(process.execPath, argv, { cwd: dir, logFile: join(dir, 'dispatch.log') }).ended;
      const seconds = (performance.now() - t0) / 1000;
      if (usage.exitCode !== 0) throw new Error(`millrace dispatch exited with ${String(usage.exitCode)}: see ${join(dir, 'dispatch.log')}`);
      const rows = expected === 0 ? 0 : parquetRows(join(dir, 'data', 'warehouse'));
      if (rows !== expected) throw new Error(`millrace dispatch wrote ${rows} rows, expected exactly ${expected}: see ${dir}`);
      rmSync(dir, { recursive: true, force: true });
      return { seconds, cpuSeconds: usage.cpuSeconds, rows };
    };

    const runs: Run[] = [];
    const fixed: Run[] = [];
    const alone: number[] = [];
    for (let round = 0; round < rounds; round++) {
      alone.push(bound(data, input.length));
      fixed.push(await dispatch(empty, 0));
      runs.push(await dispatch(full, input.length));
      log(`round ${round + 1}: dispatch ${runs[round]!.seconds.toFixed(1)} s (${Math.round(input.length / runs[round]!.seconds)} rows/s), empty topics ${fixed[round]!.seconds.toFixed(1)} s, library alone ${Math.round(alone[round]!)} rows/s`);
    }
    const rowsPerS = median(runs.map((r) => input.length / r.seconds));
    const workRowsPerS = median(runs.map((r, i) => input.length / Math.max(0.001, r.seconds - (fixed[i] as Run).seconds)));
    const boundRowsPerS = median(alone);
    const mb = (perS: number): number => Math.round((perS * (input[0]?.value as Uint8Array).byteLength) / 1e5) / 10;
    return {
      streams: STREAMS,
      rows: input.length,
      recordBytes: (input[0]?.value as Uint8Array).byteLength,
      rounds,
      loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      rowsPerS: Math.round(rowsPerS),
      mbPerS: mb(rowsPerS),
      fixedSeconds: +median(fixed.map((r) => r.seconds)).toFixed(2),
      workRowsPerS: Math.round(workRowsPerS),
      boundRowsPerS: Math.round(boundRowsPerS),
      boundMBPerS: mb(boundRowsPerS),
      /** Whole runs (start to exit) against the library alone. */
      ratio: +(rowsPerS / boundRowsPerS).toFixed(2),
      /** Runs less the fixed cost of an empty run, against the library alone. */
      workRatio: +(workRowsPerS / boundRowsPerS).toFixed(2),
      target: 0.7,
      cpuSecondsPerRun: +median(runs.map((r) => r.cpuSeconds)).toFixed(1),
      runs: runs.map((r, i) => ({ seconds: +r.seconds.toFixed(2), cpuSeconds: +r.cpuSeconds.toFixed(1), emptySeconds: +(fixed[i] as Run).seconds.toFixed(2), boundRowsPerS: Math.round(alone[i] as number) })),
    };
  } finally {
    await admin.disconnect();
    rmSync(work, { recursive: true, force: true });
    await kafka.stop();
  }
}

if (isMain(import.meta.url)) {
  const result = await runDispatchBench({ rows: numberArg('rows'), rounds: numberArg('rounds') });
  await saveResult('dispatch', { ...result, measuredAt: new Date().toISOString(), node: process.version }, undefined);
  console.log(JSON.stringify(result, null, 2));
}
