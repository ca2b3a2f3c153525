import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { pino } from 'pino';
import { Runtime } from '../src/runtime/runtime.js';
import { topologyFlags } from './topology-flags.js';
import { databaseFiles, defaultTopologyFile, loadBenchTopology, type PipelineSinkMode } from './pipeline-topology.js';

/** One run of the default topology over the sample, in a process of its own. */
export interface PipelineRun {
  mode: PipelineSinkMode;
  /** From before the runtime is built until every node has ended (start-up included, as zcat's is). */
  wallMs: number;
  /** CPU of the whole process over the same window: every thread (zlib pool, workers) counts. */
  cpuMs: number;
  /** Peak resident set of the process (VmHWM). */
  peakRssMB: number;
  /** Rows in the database after the run, or records the blackhole received. */
  rows: number;
  deadLetters: number;
  /** Garbage collection pauses of the main thread: scavenges (minor) and mark-compacts (major). */
  gc: { minorMs: number; minor: number; majorMs: number; major: number };
  /** Records in per node, to see where a shortfall happened. */
  recordsIn: Record<string, number>;
}

/** Sums the main thread's GC pauses from now until `stop()`. */
function watchGc(): { stop(): PipelineRun['gc'] } {
  const gc = { minorMs: 0, minor: 0, majorMs: 0, major: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.minor += 1;
        gc.minorMs += entry.duration;
      } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.major += 1;
        gc.majorMs += entry.duration;
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      observer.disconnect();
      return { minorMs: Math.round(gc.minorMs), minor: gc.minor, majorMs: Math.round(gc.majorMs), major: gc.major };
    },
  };
}

const childFlag = '--pipeline-child';

function peakRssMB(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? Math.round(process.memoryUsage().rss / 2 ** 20) : Math.round(Number(match[1]) / 1024);
}

function countRows(files: readonly string[]): number {
  let rows = 0;
  for (const file of files) {
    const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    try {
      rows += Number((db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n);
    } finally {
      db.close();
    }
  }
  return rows;
}

async function child(sampleDir: string, mode: PipelineSinkMode, topologyFile: string): Promise<PipelineRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'millrace-bench-pipeline-'));
  try {
    const topology = await loadBenchTopology(sampleDir, workDir, mode, topologyFile);
    const gc = watchGc();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const runtime = new Runtime(topology, { log: pino({ level: 'silent' }) });
    await runtime.start();
    const result = await runtime.finished;
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const gcPauses = gc.stop();
    if (!result.ok) throw new Error(`the pipeline failed: ${String(result.error)}`);
    const recordsIn: Record<string, number> = {};
    for (const [id, node] of runtime.nodes) recordsIn[id] = node.metrics.recordsIn;
    const sinks = topology.nodes.filter((n) => n.role === 'sink' && n.kind.inputs !== 'none');
    const rows = mode === 'database' ? countRows(databaseFiles(topology)) : sinks.reduce((n, s) => n + (recordsIn[s.id] ?? 0), 0);
    return {
      mode,
      wallMs: Math.round(wallMs),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      peakRssMB: peakRssMB(),
      rows,
      deadLetters: [...runtime.deadLetters.counts.values()].reduce((a, b) => a + b, 0),
      gc: gcPauses,
      recordsIn,
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** How {@link runPipelineOnce} runs. */
export interface RunOptions {
  /** Extra Node flags, e.g. `--cpu-prof`. */
  execArgv?: readonly string[];
  /** The topology to run instead of topology.yaml (a variant to compare). */
  topologyFile?: string;
  /** A run still going after this long is killed and rejected. */
  timeoutMs?: number;
}

/**
 * Runs the default topology over the sample in `sampleDir` in a fresh Node process (clean heap,
 * exact peak RSS).
 */
export function runPipelineOnce(sampleDir: string, mode: PipelineSinkMode, options: RunOptions = {}): Promise<PipelineRun> {
  const { execArgv = [], topologyFile = defaultTopologyFile, timeoutMs = 30 * 60_000 } = options;
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), [childFlag, sampleDir, mode, topologyFile], { execArgv: ['--import', 'tsx', ...topologyFlags, ...execArgv] });
    let run: PipelineRun | undefined;
    // A pipeline that stops making progress (a cluster root that is not there) would wait forever.
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('message', (m) => (run = m as PipelineRun));
    proc.once('error', reject);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && run !== undefined) resolve(run);
      else reject(new Error(`pipeline bench child exited with ${signal ?? code}${signal === 'SIGKILL' ? ` (killed after ${timeoutMs} ms)` : ''}`));
    });
  });
}

const at = process.argv.indexOf(childFlag);
if (at >= 0) {
  const run = await child(process.argv[at + 1] as string, process.argv[at + 2] as PipelineSinkMode, process.argv[at + 3] as string);
  process.send?.(run, () => process.exit(0));
}
