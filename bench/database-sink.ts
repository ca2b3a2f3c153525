/**
 * `database` sink throughput: rows/s into SQLite (synchronous normal and full) and MariaDB,
 * batches of 1000 records of the log-pipeline contract's shape (value `{ ts, day, app, event,
 * user, fields }`, headers file + line), fresh table each run.
 *
 *   node --import tsx bench/database-sink.ts [--rows 200000] [--engines sqlite,mysql] [--repeats 3]
 *
 * `write` calls the sink's write() in a loop (row validation + one transaction per batch);
 * `runtime` runs a source → database sink topology with 1 and 2 sink replicas. MariaDB is the
 * private test server test/infra/mariadb "a" (127.0.0.1:13306), or MILLRACE_MYSQL_URL; there
 * the sink's two load shapes (`load: insert` and `infile`) are measured in interleaved rounds,
 * each into a fresh table, against MariaDB's own bound: the same rows loaded into the same
 * table shape by the `mariadb` client's LOAD DATA LOCAL INFILE from a file.
 * Each figure is the median of `repeats` runs. Prints a table and writes
 * bench/results/database-sink.json (database-sink-<engine>.json for one engine).
 */
import { execFileSync } from 'node:child_process';
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
import { toRow } from '../src/db/event-row.js';
import { eventRowsText, loadDataStatement, textRowsText } from '../src/db/mysql-bulk-load.js';
import { summaryTables } from '../src/db/app-day-summary.js';
import { rowColumns } from '../src/db/event-row.js';
import { MysqlDatabase } from '../src/db/mysql.js';
import { mysqlEngineConfig } from '../src/db/config.js';
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

/**
 * MariaDB's bound: `rows` written to a file (and with `summary`, their distinct (app, day, user)
 * set to another), then loaded into a fresh table by the `mariadb` client in one transaction.
 */
async function clientLoad(url: string, rows: readonly LogRecord[], table: string, dir: string, summary: boolean): Promise<number> {
  const db = new MysqlDatabase(mysqlEngineConfig.parse({ type: 'mysql', url, summary }), table);
  await db.connect();
  await db.ensureSchema();
  await db.close();
  const stored = rows.map((r) => {
    const x = toRow(r);
    if (!('row' in x)) throw new Error(x.reason);
    return x.row;
  });
  writeFileSync(join(dir, 'rows.tsv'), eventRowsText(stored));
  const users = new Map(stored.flatMap((r) => (r.user === null ? [] : [[`${r.app}\u0000${r.day}\u0000${r.user}`, [r.app, r.day, r.user]] as const])));
  writeFileSync(join(dir, 'users.tsv'), textRowsText(users.values()));
  const statements = [loadDataStatement(table, rowColumns, `'${join(dir, 'rows.tsv')}'`)];
  if (summary) statements.push(loadDataStatement(summaryTables(table).users, ['app', 'day', 'user'], `'${join(dir, 'users.tsv')}'`));
  const u = new URL(url);
  const t0 = performance.now();
  execFileSync('mariadb', ['--no-defaults', '--local-infile=1', '-h', u.hostname, '-P', u.port, '-u', decodeURIComponent(u.username), `-p${decodeURIComponent(u.password)}`, u.pathname.slice(1), '-e', `BEGIN; ${statements.join('; ')}; COMMIT`]);
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
    const tables: string[] = [];
    const table = (): string => {
      tables.push(`bench_${process.pid}_${tables.length}`);
      return tables.at(-1) as string;
    };
    const config = (load: 'insert' | 'infile', summary = true): DatabaseSinkConfig => databaseSinkConfig.parse({ engine: { type: 'mysql', url, load, summary }, table: table() });
    const dir = (): string => mkdtempSync(join(tmpdir(), 'millrace-bench-db-'));
    const measures: Record<string, () => Promise<number>> = {
      mysql_insert_write_rows_per_s: () => writeLoop(config('insert'), fresh(), dir()),
      mysql_infile_write_rows_per_s: () => writeLoop(config('infile'), fresh(), dir()),
      mysql_insert_runtime_1_replicas_rows_per_s: () => runtimeRun(config('insert'), fresh(), 1),
      mysql_infile_runtime_1_replicas_rows_per_s: () => runtimeRun(config('infile'), fresh(), 1),
      mysql_infile_runtime_2_replicas_rows_per_s: () => runtimeRun(config('infile'), fresh(), 2),
      mysql_infile_no_summary_runtime_1_replicas_rows_per_s: () => runtimeRun(config('infile', false), fresh(), 1),
      mysql_client_load_data_rows_per_s: () => clientLoad(url, fresh(), table(), dir(), false),
      mysql_client_load_data_with_users_rows_per_s: () => clientLoad(url, fresh(), table(), dir(), true),
    };
    const rounds = new Map<string, number[]>(Object.keys(measures).map((k) => [k, []]));
    try {
      for (let round = 0; round < repeats; round++) {
        for (const [name, measure] of Object.entries(measures)) rounds.get(name)?.push(await measure());
      }
      for (const [name, xs] of rounds) results[name] = xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    } finally {
      const conn = await mysql.createConnection(url);
      for (const t of tables) await conn.query(`DROP TABLE IF EXISTS \`${t}\`, \`${t}_counts\`, \`${t}_users\``);
      await conn.end();
      await server.stop();
    }
  }
  const rounded = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Math.round(v)]));
  const width = Math.max(...Object.keys(rounded).map((k) => k.length));
  process.stdout.write(Object.entries(rounded).map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n');
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, engines.length === 1 ? `database-sink-${engines[0] as string}.json` : 'database-sink.json'), JSON.stringify({ rows: count, batchSize, repeats, loadAverage: loadavg()[0], ...rounded, measuredAt: new Date().toISOString(), node: process.version }, null, 2) + '\n');
}

await main();
