import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logsDir, pause } from './helpers.js';
import { eventually } from '../../kit/eventually.js';
import { killHard, linesOf, startTailProcess, tailToFileTopology, type TailProcess } from './tail-process.js';

/** One round of the schedule: lines appended (maybe after a rename rotation), then a kill -9 after a while. */
interface Round {
  lines: number;
  rotate: boolean;
  killAfterMs: number;
}

const round: fc.Arbitrary<Round> = fc.record({
  lines: fc.integer({ min: 1, max: 600 }),
  rotate: fc.boolean(),
  killAfterMs: fc.integer({ min: 0, max: 400 }),
});

describe('file sink, crash loop, property', () => {
  it('tail -> file under random kill -9 schedules and rename rotations: the output holds every line exactly once, in order per file', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(round, { minLength: 1, maxLength: 2 }), async (rounds) => {
        const dir = logsDir();
        const logs = join(dir, 'logs');
        mkdirSync(logs);
        const out = join(dir, 'out.txt');
        // Rotated files still match the glob, so a file rotated while the process is down is followed too.
        const topologyFile = tailToFileTopology(dir, 'paths: ["logs/*"], batchSize: 16, pollIntervalMs: 10, scanIntervalMs: 40, rotateWaitMs: 100');
        const written: string[] = [];
        let gen = 0;
        let seq = 0;
        let fd = openSync(join(logs, 'app.log'), 'a');
        let running: TailProcess = await startTailProcess(topologyFile);
        try {
          for (const r of rounds) {
            if (r.rotate) {
              closeSync(fd);
              renameSync(join(logs, 'app.log'), join(logs, `app.log.${gen}`));
              fd = openSync(join(logs, 'app.log'), 'a');
              gen += 1;
            }
            for (let i = 0; i < r.lines; i++) {
              const line = `g${gen}-${String(seq++).padStart(6, '0')}`;
              writeSync(fd, `${line}\n`);
              written.push(line);
              if (i % 25 === 24) await pause(2);
            }
            await pause(r.killAfterMs);
            await killHard(running);
            running = await startTailProcess(topologyFile);
          }
          await eventually(() => new Set(linesOf(out)).size >= written.length, { what: 'every line in the output', timeoutMs: 30_000 });
          await pause(100);
        } finally {
          closeSync(fd);
          running.child.kill('SIGTERM');
          await running.exited;
        }
        const got = linesOf(out);
        const counts = new Map<string, number>();
        for (const l of got) counts.set(l, (counts.get(l) ?? 0) + 1);
        expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
        expect(got.length).toBe(written.length);
        for (let g = 0; g <= gen; g++) {
          const mine = (ls: string[]): string[] => ls.filter((l) => l.startsWith(`g${g}-`));
          expect(mine(got)).toEqual(mine(written));
        }
      }),
      { numRuns: 4 },
    );
  });
});
