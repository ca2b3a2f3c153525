import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '../src/sample/manifest.js';
import { writeSample } from '../src/sample/write-sample.js';

/** The benchmark's sample: gzip only, no damaged files, so every good line must be stored. */
export interface BenchSample {
  dir: string;
  manifest: Manifest;
  /** Absolute paths of the sample files, in manifest order. */
  files: string[];
  compressedBytes: number;
  generatedNow: boolean;
}

/**
 * The sample in `dir`, written first when its MANIFEST.json is missing or was written with other
 * settings (`files`, `linesPerFile`, seed 1, gzip only, no damage).
 */
export async function benchSample(dir: string, files: number, linesPerFile: number): Promise<BenchSample> {
  const manifestFile = join(dir, 'MANIFEST.json');
  let manifest: Manifest | undefined;
  if (existsSync(manifestFile)) {
    const cached = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    const fits =
      cached.seed === 1 && cached.linesPerFile === linesPerFile && cached.totals.files === files && cached.totals.damagedFiles === 0 && cached.files.every((f) => f.codec === 'gzip');
    if (fits) manifest = cached;
  }
  const generatedNow = manifest === undefined;
  manifest ??= await writeSample({ dir, files, linesPerFile, seed: 1, damageRate: 0, codecs: ['gzip'] });
  const paths = manifest.files.map((f) => join(dir, f.path));
  const compressedBytes = await shell('cat -- "$@" | wc -c', paths).then((out) => Number(out.trim()));
  return { dir, manifest, files: paths, compressedBytes, generatedNow };
}

/** One timing of the reference decompression. */
export interface ReferenceRun {
  lines: number;
  bytes: number;
  wallMs: number;
  /** user + system CPU of the commands (bash's `time`). */
  cpuMs: number;
}

/** Runs a bash script with `args` as "$@"; resolves with its stdout, rejects on a non-zero exit. */
function shell(script: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn('bash', ['-c', script, 'bench', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc.once('error', reject);
    proc.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`bash exited with ${code}: ${script}`))));
  });
}

const TIMED = `TIMEFORMAT='time %3R %3U %3S'`;

/** `zcat files | wc -lc` as one stream. */
const single = `${TIMED}; { time zcat -- "$@" | wc -lc; } 2>&1`;
/** The same as two halves side by side (one per core), summed. */
const halves = `${TIMED}; h=$(( $# / 2 )); { time { zcat -- "\${@:1:h}" | wc -lc & zcat -- "\${@:h+1}" | wc -lc & wait; }; } 2>&1`;

/**
 * Times the reference `zcat <files> | wc -l` (bytes counted too) through bash: one stream, or
 * `parallel` as two halves at once, one per core.
 */
export async function zcatReference(files: readonly string[], parallel: boolean): Promise<ReferenceRun> {
  const out = await shell(parallel ? halves : single, files);
  const run: ReferenceRun = { lines: 0, bytes: 0, wallMs: 0, cpuMs: 0 };
  for (const line of out.trim().split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === 'time') {
      run.wallMs = Math.round(Number(parts[1]) * 1000);
      run.cpuMs = Math.round((Number(parts[2]) + Number(parts[3])) * 1000);
    } else if (parts.length === 2) {
      run.lines += Number(parts[0]);
      run.bytes += Number(parts[1]);
    }
  }
  if (run.wallMs <= 0 || run.bytes <= 0) throw new Error(`unexpected reference output: ${out}`);
  return run;
}
