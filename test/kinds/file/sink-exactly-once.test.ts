import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logsDir, pause } from './helpers.js';
import { eventually } from '../../kit/eventually.js';
import { killHard, linesOf, startTailProcess, tailToFileTopology } from './tail-process.js';

describe('file sink, exactly-once across kill -9', () => {
  it('tail -> file killed with SIGKILL mid-run and restarted: the output holds every line exactly once, in order', { timeout: 90_000 }, async () => {
    const dir = logsDir();
    mkdirSync(join(dir, 'logs'));
    const out = join(dir, 'out.txt');
    const topologyFile = tailToFileTopology(dir, 'paths: ["logs/*.log"], batchSize: 20, pollIntervalMs: 10, scanIntervalMs: 50, rotateWaitMs: 200');
    const written: string[] = [];
    let fd = openSync(join(dir, 'logs', 'app.log'), 'a');
    const append = (n: number): void => {
      const line = `line-${String(n).padStart(6, '0')}`;
      writeSync(fd, `${line}\n`);
      written.push(line);
    };

    const first = await startTailProcess(topologyFile);
    let n = 0;
    // Lines keep coming while the process runs, so positions are committed for some and not yet for others.
    while (linesOf(out).length < 1500) {
      for (let i = 0; i < 40; i++) append(n++);
      if (n === 800) {
        closeSync(fd);
        renameSync(join(dir, 'logs', 'app.log'), join(dir, 'logs', 'app.log.1'));
        fd = openSync(join(dir, 'logs', 'app.log'), 'a');
      }
      await pause(5);
      if (n > 200_000) throw new Error('the first run delivers nothing');
    }
    await killHard(first);
    const atKill = linesOf(out).length;
    for (let i = 0; i < 500; i++) append(n++);
    closeSync(fd);

    const second = await startTailProcess(topologyFile);
    await eventually(() => new Set(linesOf(out)).size >= written.length, { what: 'every line in the output', timeoutMs: 60_000 });
    await pause(300);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const got = linesOf(out);
    const seen = new Map<string, number>();
    for (const l of got) seen.set(l, (seen.get(l) ?? 0) + 1);
    expect([...seen].filter(([, count]) => count > 1).map(([line]) => line)).toEqual([]);
    expect(got.length).toBe(written.length);
    // In order per input file: app.log.1 holds lines 0..799, app.log the rest (the two may interleave).
    const rotated = (l: string): boolean => Number(l.slice(5)) < 800;
    expect(got.filter(rotated)).toEqual(written.filter(rotated));
    expect(got.filter((l) => !rotated(l))).toEqual(written.filter((l) => !rotated(l)));
    // The kill really came mid-run.
    expect(atKill).toBeLessThan(written.length);
  });
});
