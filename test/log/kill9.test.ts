/**
 * Real crash test: a child process appends with fsync 'batch' and reports
 * each acknowledged offset; it is killed with SIGKILL mid-stream (usually
 * mid-write, as writes of ~1 MiB dominate its time). Reopening must keep
 * every acknowledged record intact and in order, and cut and count the
 * torn tail. Several rounds run on the same directory.
 */
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EmbeddedLog } from '../../src/log/index.js';
import { payload, tempDir } from './helpers.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'append-child.ts');
const VALUE_BYTES = 64 * 1024;

/** Runs the child until it has acknowledged `acksBeforeKill` appends, SIGKILLs it, returns the highest acked offset. */
function runAndKill(dir: string, acksBeforeKill: number): Promise<{ start: number; maxAcked: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(VALUE_BYTES), '256', '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let start = -1;
    let maxAcked = -1;
    let acks = 0;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? ''; // keep a partial line for later
      for (const line of lines) {
        const [kind, n] = line.split(' ');
        if (kind === 'start') start = Number(n);
        if (kind === 'ack') {
          maxAcked = Math.max(maxAcked, Number(n));
          // A random delay decorrelates the kill from the ack, so it usually lands inside a write.
          if (++acks === acksBeforeKill) setTimeout(() => child.kill('SIGKILL'), Math.random() * 40);
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code}: ${err}`));
      else resolve({ start, maxAcked });
    });
  });
}

describe('embedded log kill -9', () => {
  it('keeps every acknowledged record after SIGKILL mid-append and truncates and counts the torn tail', async () => {
    const { dir, cleanup } = await tempDir('millrace-kill9-');
    let torn = 0;
    const rounds: { acked: number; hw: number; truncatedBytes: number; droppedFrames: number }[] = [];
    let expectedNext = 0;
    try {
      for (let round = 0; round < 12 && (round < 3 || torn === 0); round++) {
        const { start, maxAcked } = await runAndKill(dir, 2 + Math.floor(Math.random() * 4));
        expect(start).toBe(expectedNext); // the previous recovery kept exactly what we verified
        expect(maxAcked).toBeGreaterThanOrEqual(start);

        const partDir = path.join(dir, 'crash', '0');
        const tailFile = (await readdir(partDir)).filter((n) => n.endsWith('.log')).sort().at(-1)!;
        const rawSize = (await stat(path.join(partDir, tailFile))).size;

        const log = await EmbeddedLog.open({ dir });
        try {
          const rep = log.recovery.find((r) => r.topic === 'crash')!;
          const active = log.describePartition('crash', 0).segments.at(-1)!;
          const hw = log.endOffset('crash', 0);
          expect(hw).toBeGreaterThan(maxAcked); // every acknowledged offset survived
          expect(path.basename(active.path)).toBe(tailFile);
          // The torn tail is cut from the file and reported byte for byte.
          expect(rep.truncatedBytes).toBe(rawSize - active.sizeBytes);
          expect((await stat(active.path)).size).toBe(active.sizeBytes);
          if (rep.truncatedBytes > 0) torn++;
          // A write torn by SIGKILL leaves exactly one partial frame; complete frames before it are kept.
          expect(rep.droppedFrames).toBe(rep.truncatedBytes > 0 ? 1 : 0);
          let offset = start;
          while (offset < hw) {
            const { records, nextOffset } = await log.read('crash', 0, offset, { maxBytes: 8 * 1024 * 1024 });
            for (const r of records) {
              expect(r.offset).toBe(offset);
              expect(r.ts).toBe(offset);
              expect(Buffer.from(r.value).equals(payload(offset, VALUE_BYTES))).toBe(true);
              offset++;
            }
            expect(nextOffset).toBe(offset);
          }
          expectedNext = hw;
          rounds.push({ acked: maxAcked + 1, hw, truncatedBytes: rep.truncatedBytes, droppedFrames: rep.droppedFrames });
        } finally {
          await log.close();
        }
      }
      expect(torn, JSON.stringify(rounds)).toBeGreaterThan(0);
    } finally {
      await cleanup();
    }
  }, 60_000);
});
