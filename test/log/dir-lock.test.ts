import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = new URL('../..', import.meta.url).pathname;
const CHILD = new URL('./lock-child.ts', import.meta.url).pathname;
const STARTS = 40;

interface Racer {
  child: ChildProcess;
  lines: string[];
}

function waitForLines(racers: Racer[], count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`children did not report ${count} lines: ${JSON.stringify(racers.map((r) => r.lines))}`)), 90_000);
    const check = (): void => {
      if (racers.every((r) => r.lines.length >= count)) {
        clearTimeout(deadline);
        resolve();
      }
    };
    for (const r of racers) r.child.stdout?.on('data', check);
    check();
  });
}

/** Starts `STARTS` processes that all try to take the lock of `dir` at once; their answers. */
async function race(dir: string): Promise<string[]> {
  const go = join(dir, '..', `go-${Math.random().toString(36).slice(2)}`);
  const racers: Racer[] = Array.from({ length: STARTS }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, go], { cwd: repo, stdio: ['pipe', 'pipe', 'inherit'] });
    const racer: Racer = { child, lines: [] };
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      racer.lines.push(...parts);
    });
    return racer;
  });
  try {
    await waitForLines(racers, 1);
    writeFileSync(go, '');
    await waitForLines(racers, 2);
    return racers.map((r) => r.lines[1] ?? '');
  } finally {
    await Promise.all(
      racers.map(
        (r) =>
          new Promise<void>((resolve) => {
            if (r.child.exitCode !== null) return resolve();
            r.child.on('exit', () => resolve());
            r.child.stdin?.end();
          }),
      ),
    );
  }
}

/** A lock left by a process killed with -9 while it held it, in whatever form the lock takes. */
function staleLock(dir: string): void {
  const killed = spawnSync(
    process.execPath,
    ['--import', 'tsx', '-e', `import('${join(repo, 'src/log/dir-lock.ts')}').then((m) => m.acquireDirLock(${JSON.stringify(dir)})).then(() => process.kill(process.pid, 'SIGKILL'))`],
    { cwd: repo },
  );
  expect(killed.signal).toBe('SIGKILL');
}

function expectOneHolder(answers: string[]): void {
  const held = answers.filter((a) => a === 'held');
  expect(held.length, answers.join(', ')).toBe(1);
  for (const a of answers) expect(a).toMatch(/^(held|locked \d+)$/);
}

describe('the embedded log directory lock', () => {
  it(`goes to exactly one of ${STARTS} processes starting at once on a fresh directory`, async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'millrace-lock-')), 'log');
    mkdirSync(dir);
    expectOneHolder(await race(dir));
  }, 180_000);

  it(`goes to exactly one of ${STARTS} processes starting at once over a lock whose owner was killed -9`, async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'millrace-lock-')), 'log');
    mkdirSync(dir);
    staleLock(dir);
    expectOneHolder(await race(dir));
  }, 180_000);
});
