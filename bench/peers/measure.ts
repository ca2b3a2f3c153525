/**
 * CPU and memory of a peer's whole process tree (JVM, rsyslogd, node, a shell pipeline of kcats),
 * measured the same way for every peer:
 * - CPU: at the end, the exact total from `times` in measured.sh (every descendant reaped below
 *   it); during the run, sums of utime+stime+cutime+cstime over the live tree from /proc, so the
 *   CPU of a time window (the steady state after start-up) can be taken too;
 * - memory: the peak over samples of the summed RSS of the live tree.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MEASURED_SH = fileURLToPath(new URL('./measured.sh', import.meta.url));
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const PAGE_BYTES = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
const SAMPLE_MS = 250;

/** Peers still running: killed if the benchmark exits early, so none outlives it. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGTERM');
});

interface ProcStat {
  ppid: number;
  /** utime+stime+cutime+cstime, in seconds. */
  cpu: number;
  rssBytes: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone between readdir and read
  }
  // Fields after the command name, which is in parentheses and may hold spaces: state is [0].
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  return { ppid: Number(f[1]), cpu: ticks / CLK_TCK, rssBytes: Number(f[21]) * PAGE_BYTES };
}

/** CPU seconds and RSS of `root` and its live descendants, from one scan of /proc. */
export function treeUsage(root: number): { cpu: number; rssBytes: number } {
  const stats = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = readStat(pid);
    if (s !== undefined) stats.set(pid, s);
  }
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  let cpu = 0;
  let rssBytes = 0;
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    const s = stats.get(pid);
    if (s === undefined) continue;
    cpu += s.cpu;
    rssBytes += s.rssBytes;
    todo.push(...(children.get(pid) ?? []));
  }
  return { cpu, rssBytes };
}

/** CPU seconds (utime+stime) of one process so far, e.g. the broker's; undefined when it is gone. */
export function processCpu(pid: number): number | undefined {
  return readStat(pid)?.cpu;
}

export interface Usage {
  exitCode: number | null;
  /** CPU seconds of the whole tree from start to end (from `times`). */
  cpuSeconds: number;
  peakRssMB: number;
}

export interface Measured {
  pid: number;
  /** The live tree's CPU seconds now (undefined once it has ended). */
  cpuNow(): number | undefined;
  /** Resolves when the tree has ended, by itself or by stop(). */
  ended: Promise<Usage>;
  hasEnded(): boolean;
  /** SIGKILLs the tree (through measured.sh) and returns its usage. */
  stop(): Promise<Usage>;
}

export interface MeasureOptions {
  cwd?: string;
  /** stdout and stderr of the peer go here. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts `command args` under measured.sh and samples its tree until it ends. */
export function startMeasured(command: string, args: readonly string[], opts: MeasureOptions): Measured {
  const log = openSync(opts.logFile, 'a');
  const child: ChildProcess = spawn('bash', [MEASURED_SH, command, ...args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', log, log, 'pipe'],
  });
  closeSync(log);
  live.add(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);
  let peakRss = 0;
  let ended = false;
  const sample = (): number | undefined => {
    if (ended) return undefined;
    const u = treeUsage(pid);
    peakRss = Math.max(peakRss, u.rssBytes);
    return u.cpu;
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  let times = '';
  child.stdio[3]?.on('data', (d: Buffer) => (times += d.toString('utf8')));
  const endedP = new Promise<Usage>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      ended = true;
      live.delete(child);
      clearInterval(timer);
      // `times`: "0m0.010s 0m0.002s\n0m12.340s 0m1.250s" (shell user sys, then children user sys).
      const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/.exec(times.trim());
      if (m === null) {
        reject(new Error(`no CPU times from measured.sh for ${command} (got ${JSON.stringify(times)})`));
        return;
      }
      const cpuSeconds = Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
      resolve({ exitCode: code, cpuSeconds, peakRssMB: peakRss / 2 ** 20 });
    });
  });
  return {
    pid,
    cpuNow: sample,
    ended: endedP,
    hasEnded: () => ended,
    stop() {
      if (!ended) child.kill('SIGTERM');
      return endedP;
    },
  };
}
