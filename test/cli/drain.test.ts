import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../kit/eventually.js';
import { millrace, topologyDir } from './process.js';

const LINES = 600;

/**
 * A file -> slow map (5 ms per record) -> file topology, `drain` as given. Small reads make
 * small batches, so the source is soon far ahead of the map.
 */
function slowTopology(drain: string, mode: 'once' | 'tail'): { dir: string; file: string } {
  const { dir, file } = topologyDir(`
${drain}
sources:
  in: { kind: file, paths: [in.log], mode: ${mode}, batchSize: 20, readBytes: 200 }
stages:
  slow: { kind: map, inputs: [in], module: ./slow.mjs, export: map }
sinks:
  out: { kind: file, inputs: [slow], path: out.log, fsync: never }
`);
  writeFileSync(join(dir, 'in.log'), Array.from({ length: LINES }, (_, i) => `line ${i}\n`).join(''));
  writeFileSync(join(dir, 'slow.mjs'), 'export async function map(r) { await new Promise((ok) => setTimeout(ok, 5)); return r; }\n');
  return { dir, file };
}

/** The values the file sink stored (one JSON record per line). */
function outputLines(dir: string): string[] {
  const out = join(dir, 'out.log');
  if (!existsSync(out)) return [];
  const lines = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '');
  return lines.map((l) => (JSON.parse(l) as { value: string }).value);
}

/** Starts `millrace run`, sends SIGTERM once `lines` output lines exist, and waits for the exit. */
async function runAndStop(dir: string, file: string, lines = 1): Promise<{ code: number | null; stderr: string; afterSignalMs: number }> {
  const run = millrace(['run', file], dir);
  await eventually(() => outputLines(dir).length >= lines, { what: `${lines} output lines`, timeoutMs: 20_000 });
  const signalled = Date.now();
  run.proc.kill('SIGTERM');
  const exited = await run.exited;
  return { code: exited.code, stderr: exited.stderr, afterSignalMs: Date.now() - signalled };
}

describe('a stop with a slow stage says how the drain goes', () => {
  it('logs the records left per channel while draining, and exits 0 once all is delivered', async () => {
    const { dir, file } = slowTopology('drain: { progressEveryMs: 300 }', 'once');
    const result = await runAndStop(dir, file);
    expect(result.code, result.stderr).toBe(0);
    const progress = result.stderr.split('\n').filter((l) => l.includes('"msg":"draining: '));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    const first = JSON.parse(progress[0] as string) as { records: number; channels: Record<string, number> };
    expect(first.records).toBeGreaterThan(0);
    expect(Object.keys(first.channels)).toContain('slow');
    expect(outputLines(dir)).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i}`));
    // The summary gives the elapsed time and each actor's rates over it.
    expect(result.stderr).toMatch(/^elapsed \d+\.\d s$/m);
    expect(result.stderr).toMatch(new RegExp(`^slow +map +${LINES} +${LINES} +[1-9]\\d* +[1-9]\\d* `, 'm'));
  }, 60_000);

  it('with drain.deadlineMs, stops at the deadline with exit 3, and the next run delivers the rest exactly once', async () => {
    // Tail mode: the file source keeps positions, so the file sink stores each line once across runs.
    const { dir, file } = slowTopology('drain: { deadlineMs: 800, progressEveryMs: 300 }', 'tail');
    const result = await runAndStop(dir, file);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/drain deadline of 800 ms passed with \d+ records still queued or in flight/);
    expect(result.afterSignalMs).toBeLessThan(800 + 4000);
    expect(outputLines(dir).length).toBeLessThan(LINES);

    const rest = await runAndStop(dir, file, LINES);
    expect(rest.code, rest.stderr).toBe(0);
    expect(outputLines(dir)).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i}`));
  }, 60_000);
});
