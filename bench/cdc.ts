/**
 * Change data capture side by side with Debezium's embedded engine (its MariaDB connector,
 * offsets and schema history in files, no Kafka; bench/peers/debezium/DebeziumCount.java), on
 * the same MariaDB 10.11 server (instance "cdcbench", port 42601) and the same workload:
 *
 * - throughput: `rows` row changes (60% inserts in 1000-row transactions, then 40% updates of
 *   1000 rows each) are written once; each round, both read them from the same position in a
 *   process of their own (millrace: bench/cdc-reader.ts, the binlog source committing each
 *   batch; Debezium: counting change events in the consumer callback). Row events per second
 *   and process CPU seconds per million events, from the first event to the last; each run
 *   must count exactly `rows`.
 * - latency: 5000 row changes per second (50-row INSERTs every 10 ms, autocommit) for
 *   `latencySeconds` after 3 s of warm-up at that rate; millrace runs binlog -> falcon stage -> falcon sink -> a local push
 *   receiver (`millrace run`), Debezium commit -> callback. The delay of each change is from its
 *   INSERT being sent (its `sent_ms` column) to the push arriving / the callback; p50 and p99.
 *
 * Rounds interleave the two; medians. Targets: throughput >= 1.0x Debezium's, p99 <= 100 ms.
 *
 *   npm run bench -- cdc [--rows=1000000] [--rounds=3] [--latency-seconds=10]
 *
 * Runs `bench/peers/setup.sh debezium` first (Maven Central jars and javac, once) and starts
 * MariaDB through the test fixture. Writes bench/results/cdc.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { watchTableDdl } from '../src/cdc/watch.js';
import { startPushReceiver } from '../test/infra/falcon-agent/push-receiver.js';
import { ensureMariaDb, type MariaDbHandle } from '../test/infra/mariadb/server.js';
import { compiledCli } from './compiled-cli.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const PEER = join(REPO, '.infra/peers/debezium');
const RATE = 5000;
const TICK_MS = 10;
/** Seconds of the steady rate before the measured ones (JIT, connection pools, first batches). */
const WARM_UP_SECONDS = 3;

export interface CdcBenchResult {
  rows: number;
  rounds: number;
  debeziumVersion: string;
  /** Row events per second read and decoded, median over rounds. */
  millraceEventsPerSec: number;
  debeziumEventsPerSec: number;
  /** millrace / Debezium per round, median; target >= 1.0. */
  throughputRatio: number;
  /** Process CPU seconds per million events (first event to last), median. */
  millraceCpuSecondsPerMillion: number;
  debeziumCpuSecondsPerMillion: number;
  /** Commit -> push (millrace: binlog -> falcon -> falcon sink -> receiver), ms, median over rounds. */
  latencyRate: number;
  latencyChangesPerRound: number;
  millraceLatencyMs: { p50: number; p99: number; max: number };
  debeziumLatencyMs: { p50: number; p99: number; max: number };
  throughputRoundsMillrace: number[];
  throughputRoundsDebezium: number[];
  loadavg: number[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
const url = (h: MariaDbHandle): string => `mysql://${h.user}:${h.password}@${h.host}:${h.port}`;

interface ProcessResult {
  events: number;
  ms: number;
  cpuSeconds: number;
  delaysMs?: number[];
}

/**
 * Runs `command`, hands each stdout line to `onLine`, and resolves with its JSON line once it
 * has exited (so its state directory can be removed).
 */
function runProcess(command: string, args: string[], what: string, onLine: (line: string) => void = () => {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let result: ProcessResult | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith('{')) result = JSON.parse(line) as ProcessResult;
        else onLine(line);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
    child.on('close', (code) => (result === undefined ? reject(new Error(`${what} exited with ${code} before its result: ${err}`)) : resolve(result)));
  });
}

async function connection(h: MariaDbHandle): Promise<mysql.Connection> {
  return mysql.createConnection({ host: h.host, port: h.port, user: h.user, password: h.password, database: h.database });
}

async function position(conn: mysql.Connection): Promise<{ file: string; pos: number; gtid: string }> {
  const [[status]] = (await conn.query('SHOW MASTER STATUS')) as unknown as [[{ File: string; Position: number }]];
  const [[{ gtid }]] = (await conn.query('SELECT @@gtid_binlog_pos AS gtid')) as unknown as [[{ gtid: string }]];
  return { file: status.File, pos: Number(status.Position), gtid };
}

/** The throughput workload: `rows` row changes, 60% inserts then 40% updates, 1000 per transaction. */
async function writeWorkload(conn: mysql.Connection, rows: number): Promise<void> {
  await conn.query('DROP TABLE IF EXISTS bench_cdc');
  await conn.query('CREATE TABLE bench_cdc (id BIGINT PRIMARY KEY, sent_ms BIGINT NOT NULL, qty INT NOT NULL, price DECIMAL(12,2) NOT NULL, label VARCHAR(64) NOT NULL, at DATETIME(6) NOT NULL)');
  const inserts = Math.ceil(rows * 0.6);
  for (let from = 0; from < inserts; from += 1000) {
    const n = Math.min(1000, inserts - from);
    const values = Array.from({ length: n }, (_, i) => `(${from + i},0,${i},${i}.25,'item-${from + i}','2026-12-06 07:00:00.123456')`).join(',');
    await conn.query(`INSERT INTO bench_cdc VALUES ${values}`);
  }
  for (let done = 0; done < rows - inserts; done += 1000) {
    const n = Math.min(1000, rows - inserts - done);
    const from = done % inserts;
    await conn.query('UPDATE bench_cdc SET qty = qty + 1, price = price + 1 WHERE id >= ? AND id < ?', [from, from + n]);
  }
}

/**
 * 5000 changes/s as 50-row INSERTs every 10 ms for `seconds`; rows carry their send time, as a
 * negative number during `warmUpSeconds` first (not measured: both consumers ignore sent_ms <= 0).
 */
async function steadyInserts(conn: mysql.Connection, seconds: number, firstId: number, warmUpSeconds = 0): Promise<number> {
  const perTick = (RATE * TICK_MS) / 1000;
  const warmUp = (warmUpSeconds * 1000) / TICK_MS;
  const ticks = ((seconds + warmUpSeconds) * 1000) / TICK_MS;
  const start = performance.now();
  let id = firstId;
  for (let t = 0; t < ticks; t++) {
    const due = start + t * TICK_MS - performance.now();
    if (due > 0) await sleep(due);
    const sent = t < warmUp ? -Date.now() : Date.now();
    await conn.query(`INSERT INTO bench_lat VALUES ${Array.from({ length: perTick }, () => `(${id++},${sent})`).join(',')}`);
  }
  return id - firstId;
}

/** Pings (rows with sent_ms 0) until the consumer says it saw one: it is following the binlog. */
async function untilFollowing(conn: mysql.Connection, seen: () => boolean, firstId: number, what: string): Promise<number> {
  let id = firstId;
  const deadline = Date.now() + 120_000;
  while (!seen()) {
    if (Date.now() > deadline) throw new Error(`${what} saw no change within 120 s`);
    await conn.query('INSERT INTO bench_lat VALUES (?, 0)', [id++]);
    await sleep(200);
  }
  return id;
}

function summary(delays: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...delays].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] as number };
}

async function debeziumLatency(h: MariaDbHandle, conn: mysql.Connection, seconds: number, firstId: number): Promise<{ delays: number[]; next: number }> {
  const state = mkdtempSync(join(tmpdir(), 'millrace-bench-dbz-'));
  let seen = false;
  const count = RATE * seconds;
  const done = runProcess('java', ['-cp', `${PEER}/lib/*:${PEER}/classes`, 'DebeziumCount', 'latency', h.host, String(h.port), h.user, h.password, 'millrace.bench_lat', state, String(count)], 'Debezium', (line) => {
    if (line === 'seen') seen = true;
  });
  try {
    let next = await untilFollowing(conn, () => seen, firstId, 'Debezium');
    next += await steadyInserts(conn, seconds, next, WARM_UP_SECONDS);
    const result = await done;
    if (result.delaysMs?.length !== count) throw new Error(`Debezium counted ${result.delaysMs?.length} of ${count} changes`);
    return { delays: result.delaysMs, next };
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

async function millraceLatency(h: MariaDbHandle, conn: mysql.Connection, seconds: number, firstId: number): Promise<{ delays: number[]; next: number }> {
  const count = RATE * seconds;
  const delays: number[] = [];
  let seen = false;
  let all: () => void = () => {};
  const complete = new Promise<void>((resolve) => (all = resolve));
  const receiver = await startPushReceiver(0, (points) => {
    const now = Date.now();
    for (const p of points) {
      seen = true;
      if (p.value > 0) delays.push(now - p.value);
    }
    if (delays.length >= count) all();
  });
  const dir = mkdtempSync(join(tmpdir(), 'millrace-bench-cdc-'));
  const topology = join(dir, 'topology.yaml');
  writeFileSync(
    topology,
    `name: bench-cdc
dataDir: ${join(dir, 'state')}
sources:
  db: { kind: binlog, url: "${url(h)}", serverId: ${66000 + (Date.now() % 800)}, tables: [millrace.bench_lat], watch: millrace.millrace_watch }
stages:
  metrics: { kind: falcon, inputs: [db] }
sinks:
  agent: { kind: falcon, inputs: [metrics], url: "${receiver.url}" }
`,
  );
  const child = spawn(process.execPath, [compiledCli(), 'run', topology], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    let next = await untilFollowing(conn, () => seen, firstId, 'millrace');
    next += await steadyInserts(conn, seconds, next, WARM_UP_SECONDS);
    await Promise.race([complete, exited.then(() => Promise.reject(new Error(`millrace run exited: ${err}`))), sleep(60_000).then(() => Promise.reject(new Error(`millrace pushed ${delays.length} of ${count} changes in 60 s`)))]);
    if (delays.length !== count) throw new Error(`millrace pushed ${delays.length} points for ${count} changes`);
    return { delays, next };
  } finally {
    child.kill('SIGTERM');
    await exited;
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runCdcBench(options: { rows: number; rounds: number; latencySeconds: number }): Promise<CdcBenchResult> {
  execFileSync('bash', [join(REPO, 'bench/peers/setup.sh'), 'debezium'], { stdio: 'inherit' });
  const h = await ensureMariaDb('cdcbench', 42601);
  const conn = await connection(h);
  try {
    await conn.query(watchTableDdl('millrace_watch'));
    await conn.query("DELETE FROM millrace_watch WHERE tbl = 'bench_lat'");
    await conn.query("INSERT INTO millrace_watch (db, tbl, fields, endpoint, step) VALUES ('millrace', 'bench_lat', 'sent_ms', 'bench', 60)");
    await conn.query('DROP TABLE IF EXISTS bench_lat');
    await conn.query('CREATE TABLE bench_lat (id BIGINT PRIMARY KEY, sent_ms BIGINT NOT NULL)');
    const from = await position(conn);
    process.stderr.write(`cdc: writing ${options.rows} row changes...\n`);
    await writeWorkload(conn, options.rows);

    const rounds = { millrace: [] as ProcessResult[], debezium: [] as ProcessResult[] };
    const readers = {
      millrace: () => runProcess(process.execPath, ['--import', 'tsx', 'bench/cdc-reader.ts', url(h), 'millrace.bench_cdc', String(options.rows), from.file, String(from.pos), from.gtid], 'millrace reader'),
      debezium: () => {
        const state = mkdtempSync(join(tmpdir(), 'millrace-bench-dbz-'));
        return runProcess('java', ['-cp', `${PEER}/lib/*:${PEER}/classes`, 'DebeziumCount', 'throughput', h.host, String(h.port), h.user, h.password, 'millrace.bench_cdc', state, String(options.rows), from.file, String(from.pos), from.gtid], 'Debezium').finally(() =>
          rmSync(state, { recursive: true, force: true }),
        );
      },
    };
    for (let r = 0; r < options.rounds; r++) {
      for (const name of (r % 2 === 0 ? ['millrace', 'debezium'] : ['debezium', 'millrace']) as Array<keyof typeof readers>) {
        const result = await readers[name]();
        if (result.events !== options.rows) throw new Error(`${name} counted ${result.events} of ${options.rows} row changes`);
        rounds[name].push(result);
        process.stderr.write(`cdc: round ${r + 1} ${name}: ${Math.round(result.events / (result.ms / 1000))} events/s, ${result.cpuSeconds.toFixed(2)} CPU s\n`);
      }
    }
    const rate = (x: ProcessResult): number => x.events / (x.ms / 1000);
    const cpuPerMillion = (x: ProcessResult): number => (x.cpuSeconds / x.events) * 1e6;

    const latency = { millrace: [] as Array<{ p50: number; p99: number; max: number }>, debezium: [] as Array<{ p50: number; p99: number; max: number }> };
    let nextId = 1;
    for (let r = 0; r < options.rounds; r++) {
      for (const name of (r % 2 === 0 ? ['millrace', 'debezium'] : ['debezium', 'millrace']) as Array<keyof typeof latency>) {
        const run = name === 'millrace' ? millraceLatency : debeziumLatency;
        const { delays, next } = await run(h, conn, options.latencySeconds, nextId);
        nextId = next;
        latency[name].push(summary(delays));
        process.stderr.write(`cdc: latency round ${r + 1} ${name}: ${JSON.stringify(summary(delays))}\n`);
      }
    }
    const pick = (xs: Array<{ p50: number; p99: number; max: number }>): { p50: number; p99: number; max: number } => ({ p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)), max: median(xs.map((x) => x.max)) });
    return {
      rows: options.rows,
      rounds: options.rounds,
      debeziumVersion: '3.5.0.Final (MariaDB connector)',
      millraceEventsPerSec: Math.round(median(rounds.millrace.map(rate))),
      debeziumEventsPerSec: Math.round(median(rounds.debezium.map(rate))),
      throughputRatio: Number(median(rounds.millrace.map((m, i) => rate(m) / rate(rounds.debezium[i] as ProcessResult))).toFixed(2)),
      millraceCpuSecondsPerMillion: Number(median(rounds.millrace.map(cpuPerMillion)).toFixed(2)),
      debeziumCpuSecondsPerMillion: Number(median(rounds.debezium.map(cpuPerMillion)).toFixed(2)),
      latencyRate: RATE,
      latencyChangesPerRound: RATE * options.latencySeconds,
      millraceLatencyMs: pick(latency.millrace),
      debeziumLatencyMs: pick(latency.debezium),
      throughputRoundsMillrace: rounds.millrace.map((x) => Math.round(rate(x))),
      throughputRoundsDebezium: rounds.debezium.map((x) => Math.round(rate(x))),
      loadavg: loadavg().map((x) => Number(x.toFixed(2))),
    };
  } finally {
    await conn.end();
  }
}

export function cdcOptionsFromArgs(): { rows: number; rounds: number; latencySeconds: number } {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, rounds: { type: 'string' }, 'latency-seconds': { type: 'string' } }, strict: false, allowPositionals: true });
  return { rows: Number(values.rows ?? 1_000_000), rounds: Number(values.rounds ?? 3), latencySeconds: Number(values['latency-seconds'] ?? 10) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runCdcBench(cdcOptionsFromArgs());
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
