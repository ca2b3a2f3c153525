/**
 * `database` sink throughput: rows/s into SQLite (synchronous normal and full) and MariaDB,
 * batches of 1000 records of the log-pipeline contract's shape (value `{ ts, day, app, event,
 * user, fields }`, headers file + line), fresh table each run.
 *
 *   node --import tsx bench/database-sink.ts [--rows 200000] [--engines sqlite,mysql] [--repeats 3]
 *
 * `write` calls the sink's write() in a loop (row validation + one transaction per batch);
 * `runtime` runs a source → database sink topology with 1 and 2 sink replicas. MariaDB is the
 * private test server test/infra/mariadb "a" (127.0.0.1:13306), or MILLRACE_MYSQL_URL.
 * Each figure is the median of `repeats` runs. Prints a table and writes
 * bench/results/database-sink.json.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { pino } from 'pino';
import { databaseSinkConfig, type DatabaseSinkConfig } from '../src/kinds/database/config.js';
import { databaseKind } from '../src/kinds/database/sink.js';
import { FileCheckpoint } from '../src/runtime/checkpoint.js';
import { Runtime } from '../src/runtime/runtime.js';
import { Ack } from '../src/streams/ack.js';
import { makeBatch } from '../src/streams/batch.js';
import { SharedResources } from '../src/core/shared-resources.js';
import type { LogRecord } from '../src/streams/record.js';
import { ensureMariaDb } from '../test/infra/mariadb/server.js';
import { rowsToSink } from './rows-topology.js';

const batchSize = 1000;
const log = pino({ level: 'silent' });
const events = ['process_start', 'page_view', 'ad_show', 'ad_show', 'ad_click', 'purchase', 'error'];

function records(count: number, file: string): LogRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const day = `2026-11-${String(18 + (i % 5)).padStart(2, '0')}`;
    const ts = `${day}T08:15:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z`;
    const value = { ts, day, app: `app${i % 7}`, event: events[i % events.length] as string, user: `u${i % 5000}`, fields: { ad: `a${i % 97}`, slot: 'top', ref: `r${i % 13}` } };
    return { value, key: file, ts: 0, headers: { file, line: String(i + 1) } };
  });
}

/** Times the sink's write() over all records in batches of {@link batchSize}. */
async function writeLoop(config: DatabaseSinkConfig, rows: readonly LogRecord[], dir: string): Promise<number> {
  const ctx = { id: 'db', replica: 0, replicas: 1, log, baseDir: dir, stateDir: dir, checkpoint: new FileCheckpoint(join(dir, 'cp.json'), 1000), signal: new AbortController().signal, transport: { type: 'embedded' as const, dir }, consumers: [], shared: new SharedResources().acquire };
  const io = await databaseKind.create(config, ctx);
  await io.connect();
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += batchSize) await io.write(makeBatch(rows.slice(i, i + batchSize), Ack.none(), 'bench'));
  const ms = performance.now() - t0;
  await io.close();
  return rows.length / (ms / 1000);
}

/** Times a source → database sink run with `replicas` sink replicas. */
async function runtimeRun(config: DatabaseSinkConfig, rows: readonly LogRecord[], replicas: number): Promise<number> {
  const t = rowsToSink(rows, batchSize, { id: 'db', kind: databaseKind, config: config as unknown as Record<string, unknown>, replicas, channel: { maxRecords: 4 * batchSize } });
  const runtime = new Runtime(t, { log });
  const t0 = performance.now();
  await runtime.start();
  const result = await runtime.finished;
  if (!result.ok) throw new Error(`run failed: ${String(result.error)}`);
  return rows.length / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, engines: { type: 'string', default: 'sqlite,mysql' }, repeats: { type: 'string', default: '3' } } });
  const count = Number(values.rows);
  const engines = (values.engines ?? '').split(',');
  const repeats = Number(values.repeats);
  const results: Record<string, number> = {};
  let run = 0;
  const fresh = (): LogRecord[] => records(count, `bench:/run${run++}.log`);
  const median = async (measure: () => Promise<number>): Promise<number> => {
    const xs: number[] = [];
    for (let i = 0; i < repeats; i++) xs.push(await measure());
    return xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  };
  if (engines.includes('sqlite')) {
    for (const synchronous of ['normal', 'full'] as const) {
      const config = databaseSinkConfig.parse({ engine: { type: 'sqlite', path: 'bench.db', synchronous } });
      results[`sqlite_${synchronous}_write_rows_per_s`] = await median(() => writeLoop(config, fresh(), mkdtempSync(join(tmpdir(), 'millrace-bench-db-'))));
    }
    for (const replicas of [1, 2]) {
      const config = (): DatabaseSinkConfig => databaseSinkConfig.parse({ engine: { type: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'millrace-bench-db-')), 'bench.db') } });
      results[`sqlite_runtime_${replicas}_replicas_rows_per_s`] = await median(() => runtimeRun(config(), fresh(), replicas));
    }
  }
  if (engines.includes('mysql')) {
    const server = await ensureMariaDb('a', 13306);
    const url = `mysql://${server.user}:${server.password}@${server.host}:${server.port}/${server.database}`;
    const table = `bench_${process.pid}`;
    const config = databaseSinkConfig.parse({ engine: { type: 'mysql', url }, table });
    try {
      results.mysql_write_rows_per_s = await median(() => writeLoop(config, fresh(), mkdtempSync(join(tmpdir(), 'millrace-bench-db-'))));
      for (const replicas of [1, 2]) results[`mysql_runtime_${replicas}_replicas_rows_per_s`] = await median(() => runtimeRun(config, fresh(), replicas));
    } finally {
      const conn = await mysql.createConnection(url);
      await conn.query(`DROP TABLE IF EXISTS \`${table}\``);
      await conn.end();
      await server.stop();
    }
  }
  const rounded = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Math.round(v)]));
  const width = Math.max(...Object.keys(rounded).map((k) => k.length));
  process.stdout.write(Object.entries(rounded).map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n');
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'database-sink.json'), JSON.stringify({ rows: count, batchSize, repeats, loadAverage: loadavg()[0], ...rounded, measuredAt: new Date().toISOString(), node: process.version }, null, 2) + '\n');
}

await main();
