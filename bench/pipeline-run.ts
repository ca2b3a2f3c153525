import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { pino } from 'pino';
import { Runtime } from '../src/runtime/runtime.js';
import { databaseFiles, loadBenchTopology, type PipelineSinkMode } from './pipeline-topology.js';

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
  /** Records in per node, to see where a shortfall happened. */
  recordsIn: Record<string, number>;
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

async function child(sampleDir: string, mode: PipelineSinkMode): Promise<PipelineRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'millrace-bench-pipeline-'));
  try {
    const topology = await loadBenchTopology(sampleDir, workDir, mode);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const runtime = new Runtime(topology, { log: pino({ level: 'silent' }) });
    await runtime.start();
    const result = await runtime.finished;
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
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
      recordsIn,
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Runs the default topology over the sample in `sampleDir` in a fresh Node process (clean heap,
 * exact peak RSS); `execArgv` adds Node flags, e.g. `--cpu-prof`. A run still going after
 * `timeoutMs` is killed and rejected.
 */
export function runPipelineOnce(sampleDir: string, mode: PipelineSinkMode, execArgv: readonly string[] = [], timeoutMs = 30 * 60_000): Promise<PipelineRun> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), [childFlag, sampleDir, mode], { execArgv: ['--import', 'tsx', ...execArgv] });
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
  const run = await child(process.argv[at + 1] as string, process.argv[at + 2] as PipelineSinkMode);
  process.send?.(run, () => process.exit(0));
}
