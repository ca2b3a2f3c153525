import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, type Worker } from 'node:worker_threads';
import { parseMillraceLine } from '../src/formats/line-format.js';
import { decode, forEachLine, gunzip, parseFiles, type BoundFile, type FloorCounts } from './pipeline-bounds-worker.js';
import { SqliteDatabase } from '../src/db/sqlite.js';
import { toRow, type EventRow } from '../src/db/event-row.js';
import { fileId } from '../src/kinds/hdfs/claim-store.js';
import { startThread } from '../src/core/start-thread.js';
import type { ManifestFile } from '../src/sample/manifest.js';

/*
 * Bounds for the pipeline benchmark: what the same work costs with no framework in front of it.
 *
 * - parseFloor: for each sample file, read it, gunzip it (node:zlib), decode it to text, split it
 *   into lines the way the split stage does (LF or CRLF, empty lines skipped) and run
 *   parseMillraceLine on every line; nothing else (no records, no channels, no rows). Files that
 *   are not gzip (magic bytes) or fail to gunzip are skipped and counted; MB/s is over the
 *   decompressed bytes of the files processed. Text is decoded in the file's declared encoding
 *   (the manifest's: UTF-8 by Buffer#toString, the rest by TextDecoder), so the floor parses the
 *   same good lines the pipeline stores: charset detection (the pipeline's transcode stage
 *   guesses) is left out, which only makes the floor lower. Measured on one thread (the main
 *   thread of a fresh process) and on two worker threads taking the first and second half of the
 *   files (as the zcat two-halves reference splits them; worker start-up counts).
 * - sqliteCeiling: SQLite's own insert speed for the sample's rows. Per file, untimed: the lines
 *   are parsed as above and turned into rows by the sink's toRow; timed: only
 *   SqliteDatabase#insert in batches of 2048 rows (one transaction each, as the sink gets them)
 *   into a fresh temp database, plus the final close (the WAL checkpoint). The database is
 *   the sink's own code path: connect + ensureSchema, WAL, synchronous=normal, same table. MB/s is over the decompressed bytes of the files whose rows were inserted.
 *
 * Each bound runs in a fresh Node process (clean heap, as every pipeline run); wall and CPU are
 * taken inside it from the start of the work to its end (process start-up excluded, as the
 * pipeline runs exclude it), CPU over every thread of the process.
 */

/** One timed run of a bound. */
export interface BoundRun {
  wallMs: number;
  cpuMs: number;
  peakRssMB: number;
}

export interface FloorRun extends BoundRun {
  threads: number;
  counts: FloorCounts;
  /** Wall time of each thread's share (2 threads), to see the imbalance. */
  threadWallMs: number[];
}

export interface CeilingRun extends BoundRun {
  /** Rows inserted (the good lines of the files), and rows the database reports as new. */
  rows: number;
  inserted: number;
  batches: number;
  /** Decompressed bytes of the files whose rows were inserted. */
  bytes: number;
  /** Untimed: gunzip + decode + split + parse + toRow of the same files. */
  prepareMs: number;
}

/** Batch size of the ceiling's inserts: a channel's default capacity (2048 records), what the sink gets. */
export const CEILING_BATCH_ROWS = 2048;

function sumCounts(a: FloorCounts, b: FloorCounts): FloorCounts {
  return {
    files: a.files + b.files,
    notGzip: a.notGzip + b.notGzip,
    corrupt: a.corrupt + b.corrupt,
    bytes: a.bytes + b.bytes,
    compressedBytes: a.compressedBytes + b.compressedBytes,
    lines: a.lines + b.lines,
    parsed: a.parsed + b.parsed,
  };
}

function peakRssMB(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? Math.round(process.memoryUsage().rss / 2 ** 20) : Math.round(Number(match[1]) / 1024);
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const cpu = process.cpuUsage(start);
  return Math.round((cpu.user + cpu.system) / 1000);
}

/** Parses `files` on a worker thread of its own (bench/pipeline-bounds-worker.ts). */
function parseOnThread(files: readonly BoundFile[]): Promise<{ counts: FloorCounts; wallMs: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const worker: Worker = startThread('../bench/pipeline-bounds-worker', { files });
    let counts: FloorCounts | undefined;
    worker.once('message', (m: FloorCounts) => (counts = m));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code === 0 && counts !== undefined) resolve({ counts, wallMs: Math.round(performance.now() - t0) });
      else reject(new Error(`parse floor thread exited with ${code}`));
    });
  });
}

async function floorChild(files: readonly BoundFile[], threads: 1 | 2): Promise<FloorRun> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let counts: FloorCounts;
  let threadWallMs: number[];
  if (threads === 1) {
    counts = parseFiles(files);
    threadWallMs = [Math.round(performance.now() - t0)];
  } else {
    const half = Math.floor(files.length / 2);
    const parts = await Promise.all([parseOnThread(files.slice(0, half)), parseOnThread(files.slice(half))]);
    counts = parts.reduce((acc, p) => sumCounts(acc, p.counts), parseFiles([]));
    threadWallMs = parts.map((p) => p.wallMs);
  }
  const wallMs = Math.round(performance.now() - t0);
  return { threads, wallMs, cpuMs: cpuMsSince(cpu0), peakRssMB: peakRssMB(), counts, threadWallMs };
}

/** Rows of one file's good lines, as the sink builds them from the parse stage's records. */
function fileRows(file: BoundFile, text: string): EventRow[] {
  const rows: EventRow[] = [];
  const slash = file.name.indexOf('/');
  // The hdfs source's file id: `<cluster>:<path in the cluster>`.
  const id = fileId(file.name.slice(0, slash), file.name.slice(slash));
  forEachLine(text, (line, number) => {
    const parsed = parseMillraceLine(line);
    if (!parsed.ok) return;
    const result = toRow({ value: parsed.event, ts: parsed.ms, headers: { file: id, line: String(number) } });
    if ('row' in result) rows.push(result.row);
  });
  return rows;
}

async function ceilingChild(files: readonly BoundFile[]): Promise<CeilingRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'millrace-bench-ceiling-'));
  try {
    // With the summary the sink keeps (summary: true, its default): the ceiling of the sink's own work.
    const db = new SqliteDatabase({ type: 'sqlite', path: 'ceiling.db', synchronous: 'normal', busyTimeoutMs: 5000, summary: true }, 'events', { baseDir: workDir });
    await db.connect();
    await db.ensureSchema();
    let wallMs = 0;
    let cpuMs = 0;
    let prepareMs = 0;
    let rows = 0;
    let inserted = 0;
    let batches = 0;
    let bytes = 0;
    for (const file of files) {
      const p0 = performance.now();
      const got = gunzip(file.path);
      if (typeof got === 'string') continue;
      const fileRowsList = fileRows(file, decode(got.bytes, file.encoding));
      prepareMs += performance.now() - p0;
      bytes += got.bytes.length;
      rows += fileRowsList.length;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let at = 0; at < fileRowsList.length; at += CEILING_BATCH_ROWS) {
        inserted += await db.insert(fileRowsList.slice(at, at + CEILING_BATCH_ROWS));
        batches += 1;
      }
      wallMs += performance.now() - t0;
      cpuMs += cpuMsSince(cpu0);
    }
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await db.close();
    wallMs += performance.now() - t0;
    cpuMs += cpuMsSince(cpu0);
    return { wallMs: Math.round(wallMs), cpuMs, peakRssMB: peakRssMB(), rows, inserted, batches, bytes, prepareMs: Math.round(prepareMs) };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

const childFlag = '--pipeline-bounds-child';
type BoundKind = 'floor-1' | 'floor-2' | 'ceiling';

function runChild<T>(kind: BoundKind, files: readonly BoundFile[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), [childFlag, kind], { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
    let run: T | undefined;
    proc.once('message', (m) => (run = m as T));
    proc.once('error', reject);
    proc.once('exit', (code, signal) => {
      if (code === 0 && run !== undefined) resolve(run);
      else reject(new Error(`pipeline bounds child (${kind}) exited with ${signal ?? code}`));
    });
    proc.send(files);
  });
}

/** The sample's files to read in the bounds, from its manifest. */
export function boundFiles(dir: string, manifestFiles: readonly Pick<ManifestFile, 'path' | 'encoding'>[]): BoundFile[] {
  return manifestFiles.map((f) => ({ path: join(dir, f.path), name: f.path, encoding: f.encoding }));
}

/** The parse floor over `files` on `threads` threads, in a fresh process. */
export function runParseFloor(files: readonly BoundFile[], threads: 1 | 2): Promise<FloorRun> {
  return runChild(threads === 1 ? 'floor-1' : 'floor-2', files);
}

/** The SQLite insert ceiling over `files`, in a fresh process. */
export function runSqliteCeiling(files: readonly BoundFile[]): Promise<CeilingRun> {
  return runChild('ceiling', files);
}

const at = isMainThread ? process.argv.indexOf(childFlag) : -1;
if (at >= 0) {
  const kind = process.argv[at + 1] as BoundKind;
  process.once('message', (files: BoundFile[]) => {
    const run = kind === 'ceiling' ? ceilingChild(files) : floorChild(files, kind === 'floor-1' ? 1 : 2);
    run.then(
      (result) => process.send?.(result, () => process.exit(0)),
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
