/**
 * `hive` sink throughput: 1 KiB JSON records (bytes, as the kafka source delivers them) from an
 * in-memory source with positions → hive sink (local directory, snappy, default commit
 * settings) in a Runtime, against the bound: the Parquet library alone (apache-arrow's
 * vectorFromArray + parquet-wasm) writing the same rows from memory, already in columns of JS
 * values, in files of the same size as the sink's commits. (The sink itself builds Arrow's
 * buffers while it parses, see src/kinds/hive/column-builder.ts.) Rounds interleave the two; medians.
 *
 *   npm run bench -- hive            (or: node --import tsx bench/hive.ts [--rows 300000] [--rounds 5])
 *
 * Writes bench/results/hive.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { z } from 'zod';
import { hiveSinkConfig } from '../src/kinds/hive/config.js';
import * as arrow from 'apache-arrow';
import { tableToParquet } from '../src/kinds/hive/parquet-file.js';
import { RowReader, type Cell } from '../src/kinds/hive/rows.js';
import { hiveSinkKind } from '../src/kinds/hive/sink.js';
import { Runtime } from '../src/runtime/runtime.js';
import type { LogRecord } from '../src/streams/record.js';
import { rowsToSink } from './rows-topology.js';

const BATCH = 1000;
/** Rows per commit: the sink commits when it holds maxBatches (64) batches. */
const FILE_ROWS = 64 * BATCH;
const log = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 11, 6, 0, 0, 0);
const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon'.split(' ');

export const columns = [
  { name: 'ts', type: 'timestamp', required: true },
  { name: 'host', type: 'string' },
  { name: 'level', type: 'string' },
  { name: 'message', type: 'string' },
  { name: 'bytes', type: 'int64' },
  { name: 'latency', type: 'double' },
  { name: 'ok', type: 'boolean' },
] as const;

/** `count` JSON records of about 1 KiB, as UTF-8 bytes, over two hours of event time. */
export function records(count: number): LogRecord[] {
  const encoder = new TextEncoder();
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, (_, i) => {
    let message = '';
    while (message.length < 860) message += `${words[Math.floor(random() * words.length)] as string} `;
    const ts = T0 + Math.floor((i / count) * 2 * 3_600_000);
    const value = { ts: new Date(ts).toISOString(), host: `host-${i % 50}`, level: ['INFO', 'WARN', 'ERROR'][i % 3], message, bytes: i * 7, latency: random() * 100, ok: i % 5 !== 0 };
    return { value: encoder.encode(JSON.stringify(value)), ts };
  });
}

const config = (dir: string): z.output<typeof hiveSinkConfig> =>
  hiveSinkConfig.parse({ backend: { type: 'local', dir }, table: 'bench', columns, timeField: 'ts', compaction: { enabled: false } });

/** Records → hive sink in a Runtime; rows/s from start to the end of the run (last commit included). */
async function pipeline(rows: readonly LogRecord[]): Promise<number> {
  const t = rowsToSink(rows, BATCH, { id: 'hive', kind: hiveSinkKind, config: config('warehouse') as unknown as Record<string, unknown>, channel: { maxRecords: 2 * FILE_ROWS, maxBytes: 256 * 1024 * 1024 } }, true);
  const runtime = new Runtime(t, { log });
  const t0 = performance.now();
  await runtime.start();
  const result = await runtime.finished;
  const ms = performance.now() - t0;
  rmSync(t.dataDir, { recursive: true, force: true });
  if (!result.ok) throw new Error(`run failed: ${String(result.error)}`);
  return rows.length / (ms / 1000);
}

/** Arrow types of the columns, for the library's own vectorFromArray. */
const arrowTypes = [new arrow.TimestampMillisecond('UTC'), new arrow.Utf8(), new arrow.Utf8(), new arrow.Utf8(), new arrow.Int64(), new arrow.Float64(), new arrow.Bool()];

/** The library alone: Arrow vectors from the cells (apache-arrow's vectorFromArray), then parquet-wasm. */
function encodeCells(data: readonly Cell[][]): Uint8Array {
  const vectors: Record<string, arrow.Vector> = {};
  columns.forEach((c, i) => {
    vectors[c.name] = arrow.vectorFromArray(data[i] as Cell[], arrowTypes[i] as arrow.DataType);
  });
  return tableToParquet(new arrow.Table(vectors), 'snappy');
}

/** The bound: the same rows, already in columns in memory, encoded and written as files of FILE_ROWS rows. */
export function bound(data: readonly Cell[][], count: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-bench-hive-bound-'));
  const t0 = performance.now();
  for (let from = 0, n = 0; from < count; from += FILE_ROWS, n++) {
    const slice = data.map((column) => column.slice(from, from + FILE_ROWS));
    writeFileSync(join(dir, `part-${n}.parquet`), encodeCells(slice));
  }
  const ms = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  return count / (ms / 1000);
}

/** The rows of `input` in columns of cells, as the bound takes them. */
export function cellsOf(input: readonly LogRecord[]): Cell[][] {
  const reader = new RowReader(config('x').columns, 'ts');
  const data: Cell[][] = columns.map(() => []);
  for (const r of input) {
    const row = reader.read(r);
    if ('reason' in row) throw new Error(row.reason);
    row.cells.forEach((c, i) => (data[i] as Cell[]).push(c));
  }
  return data;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export async function runHiveBench(options: { rows?: number; rounds?: number } = {}): Promise<Record<string, unknown>> {
  const count = options.rows ?? 300_000;
  const rounds = options.rounds ?? 5;
  const input = records(count);
  const data = cellsOf(input);
  const sink: number[] = [];
  const alone: number[] = [];
  for (let i = 0; i < rounds; i++) {
    alone.push(bound(data, count));
    sink.push(await pipeline(input));
  }
  const mb = (rowsPerS: number): number => Math.round((rowsPerS * (input[0]?.value as Uint8Array).byteLength) / 1e5) / 10;
  return {
    rows: count,
    recordBytes: (input[0]?.value as Uint8Array).byteLength,
    rounds,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    sinkRowsPerS: Math.round(median(sink)),
    sinkMBPerS: mb(median(sink)),
    boundRowsPerS: Math.round(median(alone)),
    boundMBPerS: mb(median(alone)),
    ratio: Math.round((median(sink) / median(alone)) * 100) / 100,
    /** The same, round by round (each round's sink run against its own bound run): the median. */
    medianRoundRatio: Math.round(median(sink.map((s, i) => s / (alone[i] as number))) * 100) / 100,
    target: 0.7,
    sinkRounds: sink.map(Math.round),
    boundRounds: alone.map(Math.round),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '300000' }, rounds: { type: 'string', default: '5' } } });
  const result = await runHiveBench({ rows: Number(values.rows), rounds: Number(values.rounds) });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
