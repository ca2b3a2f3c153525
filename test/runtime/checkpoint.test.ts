import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileCheckpoint } from '../../src/runtime/checkpoint.js';
import { eventually } from '../kit/eventually.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'millrace-checkpoint-'));

describe('FileCheckpoint', () => {
  it('a timed write that fails is reported and retried, and the writes after it land (no crash, no stuck chain)', async () => {
    const d = dir();
    const file = join(d, 'src.json');
    // A non-empty directory where the file goes: every rename over it fails.
    mkdirSync(join(file, 'in-the-way'), { recursive: true });
    const failures: string[] = [];
    const cp = new FileCheckpoint(file, 20, (_file, error) => failures.push(String(error)));
    cp.set({ offset: 1 });
    await eventually(() => failures.length >= 2, { what: 'the failed write reported and retried', timeoutMs: 5_000 });
    await expect(cp.flush()).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    rmSync(file, { recursive: true });
    cp.set({ offset: 2 });
    await eventually(() => existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).offset === 2, { what: 'the value written once the way is clear', timeoutMs: 5_000 });
    await cp.flush();
  });

  it("two writers of one file (as two processes given the same data directory) never take each other's temp file", async () => {
    const d = dir();
    const file = join(d, 'gen.json');
    const a = new FileCheckpoint(file, 1);
    const b = new FileCheckpoint(file, 1);
    // The writes of each are chained; a's and b's interleave, as two processes' would.
    const failed: unknown[] = [];
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      a.set({ by: 'a', i });
      b.set({ by: 'b', i });
      writes.push(a.flush().catch((e: unknown) => void failed.push(e)), b.flush().catch((e: unknown) => void failed.push(e)));
    }
    await Promise.all(writes);
    expect(failed).toEqual([]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('i', 199);
  });
});
