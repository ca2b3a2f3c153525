import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { relative, resolve } from 'node:path';
import { boundFiles, runParseFloor, runSqliteCeiling, CEILING_BATCH_ROWS, type BoundRun, type CeilingRun, type FloorRun } from './pipeline-bounds.js';
import { benchSample, zcatReference, type ReferenceRun } from './pipeline-reference.js';
import { runPipelineOnce, type PipelineRun } from './pipeline-run.js';
import { defaultTopologyFile, type PipelineSinkMode } from './pipeline-topology.js';

export interface PipelineBenchOptions {
  /** Where the sample is cached between runs (gitignored); written only when missing. */
  dir?: string;
  /** Sample files (gzip) and average lines per file: the defaults make about 1 GB uncompressed. */
  files?: number;
  linesPerFile?: number;
  /** Measured rounds; each runs the references and every mode once, back to back. */
  rounds?: number;
  modes?: readonly PipelineSinkMode[];
  /** Extra Node flags for the pipeline processes, e.g. `--cpu-prof`. */
  execArgv?: readonly string[];
  /** A topology to measure instead of topology.yaml (same shape: hdfs over local roots, a database sink). */
  topologyFile?: string;
  /**
   * Also measure the bounds of pipeline-bounds.ts in every round (about 3 minutes a round on
   * 2 cores): the parse floor on one and two threads, and SQLite's insert ceiling.
   */
  bounds?: boolean;
}

/** Medians over the rounds of one way of decompressing the sample. */
export interface Measured {
  wallMs: number;
  cpuMs: number;
  /** Uncompressed MB (10^6 bytes) per wall second. */
  mbPerSec: number;
  /** Uncompressed MB per CPU second: what the work costs, steadier on a loaded machine. */
  mbPerCpuSec: number;
}

export interface PipelineMeasured extends Measured {
  /** Wall throughput against `zcat | wc -l` (one stream), median of the per-round pairs: the ratio. */
  ratio: number;
  /** The same against the two-halves reference (zcat on both cores). */
  ratioVsTwoHalves: number;
  /** CPU per byte of the reference over the pipeline's: the share of the reference's efficiency. */
  cpuRatio: number;
  peakRssMB: number;
  /** Main-thread GC pauses (scavenges plus mark-compacts), median over the rounds. */
  gcMs: number;
  /** Rows stored (database) or records the blackhole received (parse-only), checked = expected. */
  rows: number;
  deadLetters: number;
}

/** A bound against the zcat reference of the same round (medians over the rounds). */
export interface BoundMeasured extends Measured {
  /** Throughput (MB/s over the bytes the bound covered) against `zcat | wc -l`'s. */
  ratio: number;
  /** The same against the two-halves reference. */
  ratioVsTwoHalves: number;
  /** CPU per byte of the reference over the bound's. */
  cpuRatio: number;
  peakRssMB: number;
}

/** What the work costs with no framework in front of it (see bench/pipeline-bounds.ts). */
export interface PipelineBounds {
  /** gunzip + decode + split + parseMillraceLine per line, nothing else. */
  parseFloor: {
    /** Files parsed, and skipped (not gzip, or gunzip failed: none in the benchmark's sample). */
    files: number;
    skippedNotGzip: number;
    skippedCorrupt: number;
    /** Decompressed MB of the files parsed: what MB/s is over. */
    coveredMB: number;
    lines: number;
    parsed: number;
    decode: string;
    oneThread: BoundMeasured;
    /** Two worker threads, half the files each (start-up included); per round, the wall of each thread's share. */
    twoThreads: BoundMeasured & { threadWallMs: number[][] };
  };
  /** Only the inserts of the sample's rows through SqliteDatabase, batches of `batchRows`. */
  sqliteCeiling: BoundMeasured & {
    rows: number;
    batchRows: number;
    rowsPerSec: number;
    rowsPerCpuSec: number;
    /** Decompressed MB of the files whose rows were inserted. */
    coveredMB: number;
    /** Untimed preparation (gunzip, decode, parse, toRow), median. */
    prepareMs: number;
  };
}

export interface PipelineBenchResult {
  sample: { dir: string; files: number; compressedMB: number; uncompressedMB: number; lines: number; goodLines: number; unparseableLines: number; generatedNow: boolean };
  rounds: number;
  /** The topology measured (topology.yaml unless a variant was given). */
  topology: string;
  reference: Measured & { command: string };
  referenceTwoHalves: Measured & { command: string };
  pipeline?: PipelineMeasured;
  parseOnly?: PipelineMeasured;
  bounds?: PipelineBounds;
  target: number;
}

const defaultDir = fileURLToPath(new URL('../.bench-data/pipeline/', import.meta.url));
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const round1 = (x: number): number => Math.round(x * 10) / 10;

function measured(runs: readonly { wallMs: number; cpuMs: number }[], bytes: number): Measured {
  const wallMs = median(runs.map((r) => r.wallMs));
  const cpuMs = median(runs.map((r) => r.cpuMs));
  return { wallMs, cpuMs, mbPerSec: round1(bytes / 1e3 / wallMs), mbPerCpuSec: round1(bytes / 1e3 / cpuMs) };
}

function pipelineMeasured(runs: PipelineRun[], refs: ReferenceRun[], halves: ReferenceRun[], bytes: number): PipelineMeasured {
  const ratio = (i: number, ref: readonly ReferenceRun[], key: 'wallMs' | 'cpuMs'): number => (ref[i] as ReferenceRun)[key] / (runs[i] as PipelineRun)[key];
  return {
    ...measured(runs, bytes),
    ratio: +median(runs.map((_, i) => ratio(i, refs, 'wallMs'))).toFixed(3),
    ratioVsTwoHalves: +median(runs.map((_, i) => ratio(i, halves, 'wallMs'))).toFixed(3),
    cpuRatio: +median(runs.map((_, i) => ratio(i, refs, 'cpuMs'))).toFixed(3),
    peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)),
    gcMs: median(runs.map((r) => r.gc.minorMs + r.gc.majorMs)),
    rows: runs[0]?.rows ?? 0,
    deadLetters: runs[0]?.deadLetters ?? 0,
  };
}

function boundMeasured(runs: readonly (BoundRun & { bytes: number })[], refs: readonly ReferenceRun[], halves: readonly ReferenceRun[]): BoundMeasured {
  const bytes = (runs[0] as { bytes: number }).bytes;
  const per = (ref: readonly ReferenceRun[], f: (run: BoundRun & { bytes: number }, ref: ReferenceRun) => number): number =>
    +median(runs.map((run, i) => f(run, ref[i] as ReferenceRun))).toFixed(3);
  return {
    ...measured(runs, bytes),
    ratio: per(refs, (run, ref) => run.bytes / run.wallMs / (ref.bytes / ref.wallMs)),
    ratioVsTwoHalves: per(halves, (run, ref) => run.bytes / run.wallMs / (ref.bytes / ref.wallMs)),
    cpuRatio: per(refs, (run, ref) => ref.cpuMs / ref.bytes / (run.cpuMs / run.bytes)),
    peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)),
  };
}

function boundsMeasured(floor1: FloorRun[], floor2: FloorRun[], ceiling: CeilingRun[], refs: ReferenceRun[], halves: ReferenceRun[]): PipelineBounds {
  const withBytes = (runs: FloorRun[]): (FloorRun & { bytes: number })[] => runs.map((r) => ({ ...r, bytes: r.counts.bytes }));
  const counts = (floor1[0] as FloorRun).counts;
  const db = boundMeasured(ceiling, refs, halves);
  const rows = (ceiling[0] as CeilingRun).rows;
  return {
    parseFloor: {
      files: counts.files,
      skippedNotGzip: counts.notGzip,
      skippedCorrupt: counts.corrupt,
      coveredMB: round1(counts.bytes / 1e6),
      lines: counts.lines,
      parsed: counts.parsed,
      decode: "each file's declared encoding (UTF-8: Buffer#toString, others: TextDecoder); no detection",
      oneThread: boundMeasured(withBytes(floor1), refs, halves),
      twoThreads: { ...boundMeasured(withBytes(floor2), refs, halves), threadWallMs: floor2.map((r) => r.threadWallMs) },
    },
    sqliteCeiling: {
      ...db,
      rows,
      batchRows: CEILING_BATCH_ROWS,
      rowsPerSec: Math.round((rows / db.wallMs) * 1000),
      rowsPerCpuSec: Math.round((rows / db.cpuMs) * 1000),
      coveredMB: round1((ceiling[0] as CeilingRun).bytes / 1e6),
      prepareMs: median(ceiling.map((r) => r.prepareMs)),
    },
  };
}

/**
 * The log pipeline against `zcat | wc -l`: about 1 GB of sample logs (gzip, cached in
 * `.bench-data/pipeline`) through the default topology.yaml (hdfs pollers → decompress →
 * transcode → distribute → split ×2 → parse → SQLite), and through the same topology with a
 * blackhole in place of the database (parse-only), each run in a fresh process. Throughput is
 * in uncompressed MB/s; every run must store exactly the sample's good lines and dead-letter
 * exactly its unparseable ones. Median over `rounds`. With `bounds`, each round also measures
 * what the work costs with no framework (bench/pipeline-bounds.ts): the parse floor on one and
 * two threads and SQLite's insert ceiling, each against the same round's zcat.
 */
export async function runPipelineBench(opts: PipelineBenchOptions = {}): Promise<PipelineBenchResult> {
  const { files = 600, linesPerFile = 20_000, rounds = 3, modes = ['database', 'parse-only'], execArgv = [], bounds = false } = opts;
  const topologyFile = resolve(opts.topologyFile ?? defaultTopologyFile);
  // Cluster roots in the topology resolve against its temp dir: the sample's path must be absolute.
  const dir = resolve(opts.dir ?? defaultDir);
  const sample = await benchSample(dir, files, linesPerFile);
  const { totals } = sample.manifest;
  const refs: ReferenceRun[] = [];
  const halves: ReferenceRun[] = [];
  const runs = new Map<PipelineSinkMode, PipelineRun[]>(modes.map((m) => [m, []]));
  const sampleFiles = boundFiles(dir, sample.manifest.files);
  const floor1: FloorRun[] = [];
  const floor2: FloorRun[] = [];
  const ceiling: CeilingRun[] = [];
  // Round 0 warms the page cache and is not counted.
  for (let i = 0; i <= rounds; i++) {
    const ref = await zcatReference(sample.files, false);
    const half = await zcatReference(sample.files, true);
    if (half.bytes !== ref.bytes) throw new Error(`zcat halves read ${half.bytes} bytes, one stream ${ref.bytes}`);
    if (i === 0) continue;
    refs.push(ref);
    halves.push(half);
    for (const mode of modes) {
      const run = await runPipelineOnce(dir, mode, { execArgv, topologyFile });
      process.stderr.write(`  round ${i} ${mode}: ${run.wallMs} ms wall, ${run.cpuMs} ms cpu, ${run.rows} rows, peak RSS ${run.peakRssMB} MB, gc ${JSON.stringify(run.gc)}\n`);
      if (run.rows !== totals.goodLines || run.deadLetters !== totals.unparseableLines) {
        throw new Error(`${mode}: ${run.rows} rows and ${run.deadLetters} dead letters, expected ${totals.goodLines} and ${totals.unparseableLines}; records in: ${JSON.stringify(run.recordsIn)}`);
      }
      runs.get(mode)?.push(run);
    }
    if (bounds) {
      for (const threads of [1, 2] as const) {
        const run = await runParseFloor(sampleFiles, threads);
        process.stderr.write(`  round ${i} parse floor, ${threads} thread(s): ${run.wallMs} ms wall, ${run.cpuMs} ms cpu, ${run.counts.bytes} bytes, threads ${run.threadWallMs.join('/')} ms, peak RSS ${run.peakRssMB} MB\n`);
        if (run.counts.parsed !== totals.goodLines || run.counts.lines !== totals.lines) {
          throw new Error(`parse floor: ${run.counts.parsed} of ${run.counts.lines} lines parsed, expected ${totals.goodLines} of ${totals.lines}`);
        }
        (threads === 1 ? floor1 : floor2).push(run);
      }
      const run = await runSqliteCeiling(sampleFiles);
      process.stderr.write(`  round ${i} sqlite ceiling: ${run.wallMs} ms wall, ${run.cpuMs} ms cpu inserting ${run.rows} rows (${run.prepareMs} ms untimed preparation), peak RSS ${run.peakRssMB} MB\n`);
      if (run.rows !== totals.goodLines || run.inserted !== run.rows) throw new Error(`sqlite ceiling: ${run.inserted} of ${run.rows} rows inserted, expected ${totals.goodLines}`);
      ceiling.push(run);
    }
  }
  const bytes = (refs[0] as ReferenceRun).bytes;
  const db = runs.get('database');
  const parseOnly = runs.get('parse-only');
  return {
    sample: { dir, files: totals.files, compressedMB: round1(sample.compressedBytes / 1e6), uncompressedMB: round1(bytes / 1e6), lines: totals.lines, goodLines: totals.goodLines, unparseableLines: totals.unparseableLines, generatedNow: sample.generatedNow },
    rounds,
    topology: relative(process.cwd(), topologyFile),
    reference: { command: 'zcat <files> | wc -l', ...measured(refs, bytes) },
    referenceTwoHalves: { command: 'two halves at once: zcat <half> | wc -l', ...measured(halves, bytes) },
    ...(db !== undefined && { pipeline: pipelineMeasured(db, refs, halves, bytes) }),
    ...(parseOnly !== undefined && { parseOnly: pipelineMeasured(parseOnly, refs, halves, bytes) }),
    ...(bounds && { bounds: boundsMeasured(floor1, floor2, ceiling, refs, halves) }),
    target: 1.0,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      files: { type: 'string' },
      lines: { type: 'string' },
      rounds: { type: 'string' },
      modes: { type: 'string' },
      prof: { type: 'string' },
      topology: { type: 'string' },
      bounds: { type: 'boolean' },
      'bounds-only': { type: 'boolean' },
    },
  });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const opts: PipelineBenchOptions = { rounds: num(values.rounds) ?? 3 };
  if (values.dir !== undefined) opts.dir = values.dir;
  if (values.files !== undefined) opts.files = Number(values.files);
  if (values.lines !== undefined) opts.linesPerFile = Number(values.lines);
  if (values.modes !== undefined) opts.modes = values.modes.split(',') as PipelineSinkMode[];
  if (values.topology !== undefined) opts.topologyFile = values.topology;
  if (values.bounds === true || values['bounds-only'] === true) opts.bounds = true;
  if (values['bounds-only'] === true) opts.modes = [];
  if (values.prof !== undefined) opts.execArgv = ['--cpu-prof', `--cpu-prof-dir=${values.prof}`];
  console.log(JSON.stringify(await runPipelineBench(opts), null, 2));
}
