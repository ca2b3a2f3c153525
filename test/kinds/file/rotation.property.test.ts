import { closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../kit/eventually.js';
import { logsDir, pause, start, tailConfig, tailTopology, type Got, type Running } from './helpers.js';

type Command =
  | { op: 'append'; file: number; count: number; cut: number }
  | { op: 'rotate'; file: number; late: number }
  | { op: 'wait'; ms: number }
  | { op: 'restart' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('append' as const), file: fc.nat(1), count: fc.integer({ min: 1, max: 40 }), cut: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rotate' as const), file: fc.nat(1), late: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 25 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
);

/** One logical log file: its writer's open file (one generation per rotation) and its next line number. */
interface LogFile {
  fd: number;
  gen: number;
  seq: number;
}

describe('file source, tail mode, property', () => {
  it('any interleaving of appends, rename rotations and graceful restarts yields every line exactly once, in order per file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        const dir = logsDir();
        const got: Got[] = [];
        const t = tailTopology(tailConfig([join(dir, '*.log')], { pollIntervalMs: 5, scanIntervalMs: 15, rotateWaitMs: 30, batchSize: 16 }), got);
        const path = (file: number): string => join(dir, `f${file}.log`);
        const files: LogFile[] = [0, 1].map((file) => ({ fd: openSync(path(file), 'a'), gen: 0, seq: 0 }));
        const written: string[] = [];
        const append = (f: LogFile, file: number, count: number, cut: number): void => {
          const ls = Array.from({ length: count }, () => `f${file}-g${f.gen}-${String(f.seq++).padStart(5, '0')}`);
          written.push(...ls);
          const text = Buffer.from(ls.map((l) => `${l}\n`).join(''));
          const at = Math.floor(text.length * cut);
          if (at > 0) writeSync(f.fd, text.subarray(0, at));
          writeSync(f.fd, text.subarray(at));
        };
        let running: Running = await start(t);
        try {
          for (const c of commands) {
            if (c.op === 'append') append(files[c.file] as LogFile, c.file, c.count, c.cut);
            else if (c.op === 'wait') await pause(c.ms);
            else if (c.op === 'restart') {
              await running.stop();
              running = await start(t);
            } else {
              const f = files[c.file] as LogFile;
              renameSync(path(c.file), `${path(c.file)}.${f.gen}`);
              append(f, c.file, c.late, 0);
              closeSync(f.fd);
              const fd = openSync(path(c.file), 'a');
              files[c.file] = { fd, gen: f.gen + 1, seq: f.seq };
              // A tailer that polls paths never sees a file created and renamed away between two of
              // its looks (documented); every generation here lives until the tailer follows it.
              const s = fstatSync(fd, { bigint: true });
              const id = `${s.dev}:${s.ino}`;
              await eventually(() => JSON.stringify(running.status().files).includes(`"${id}"`), { what: 'the new file followed', timeoutMs: 10_000 });
            }
          }
          await eventually(() => got.length >= written.length, { what: 'every line', timeoutMs: 10_000 });
          await pause(40);
        } finally {
          await running.stop();
          for (const f of files) closeSync(f.fd);
        }
        const values = got.map((g) => g.value);
        expect(values.length).toBe(written.length);
        expect(new Set(values)).toEqual(new Set(written));
        // Per file generation (one inode), lines arrive in the order they were written.
        const generations = new Set(written.map((l) => l.slice(0, l.lastIndexOf('-'))));
        for (const g of generations) {
          const mine = (ls: string[]): string[] => ls.filter((l) => l.startsWith(`${g}-`));
          expect(mine(values)).toEqual(mine(written));
        }
      }),
      { numRuns: 50 },
    );
  }, 120_000);
});
