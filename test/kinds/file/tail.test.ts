import { appendFileSync, openSync, writeFileSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSourceConfig } from '../../../src/kinds/file/source.js';
import { run } from '../../runtime/harness.js';
import { eventually } from '../../kit/eventually.js';
import { lines, logsDir, pause, start, tailConfig, tailTopology, valuesOf, type Got } from './helpers.js';

describe('file source, tail mode', () => {
  it('delivers lines appended while it runs in order and exactly once, however the writes split them', async () => {
    const dir = logsDir();
    const file = join(dir, 'app.log');
    writeFileSync(file, '');
    const got: Got[] = [];
    const r = await start(tailTopology(tailConfig([join(dir, '*.log')], { batchSize: 7 }), got));
    const expected = lines('a', 0, 2000);
    const text = expected.map((l) => `${l}\n`).join('');
    // Writes of uneven sizes cut lines (and the LF) anywhere; pauses let the tailer catch up mid-line.
    const fd = openSync(file, 'a');
    for (let at = 0, i = 0; at < text.length; i++) {
      const size = 1 + ((i * 7919) % 900);
      writeSync(fd, text.slice(at, at + size));
      at += size;
      if (i % 25 === 0) await pause(15);
    }
    closeSync(fd);
    await eventually(() => got.length >= expected.length, { what: 'every line' });
    await pause(100);
    await r.stop();
    expect(valuesOf(got)).toEqual(expected);
    expect(new Set(got.map((g) => g.file))).toEqual(new Set([file]));
  });

  it('holds a partial last line until its LF arrives', async () => {
    const dir = logsDir();
    const file = join(dir, 'app.log');
    writeFileSync(file, 'first\nsecond-ha');
    const got: Got[] = [];
    const r = await start(tailTopology(tailConfig([file]), got));
    await eventually(() => got.length >= 1, { what: 'the first line' });
    await pause(150);
    expect(valuesOf(got)).toEqual(['first']);
    appendFileSync(file, 'lf\nthird\n');
    await eventually(() => got.length >= 3, { what: 'the rest' });
    await r.stop();
    expect(valuesOf(got)).toEqual(['first', 'second-half', 'third']);
  });

  it('emits a partial last line as a line after partialLineFlushMs, and the rest of it later as another', async () => {
    const dir = logsDir();
    const file = join(dir, 'app.log');
    writeFileSync(file, 'done\nno-lf-yet');
    const got: Got[] = [];
    const r = await start(tailTopology(tailConfig([file], { partialLineFlushMs: 200 }), got));
    const t0 = Date.now();
    await eventually(() => got.length >= 2, { what: 'the flushed partial line' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    appendFileSync(file, '-tail\nnext\n');
    await eventually(() => got.length >= 4, { what: 'the later lines' });
    await r.stop();
    expect(valuesOf(got)).toEqual(['done', 'no-lf-yet', '-tail', 'next']);
    expect(r.status().partialFlushes).toBe(1);
  });

  it('picks up a new file matching the glob while it runs, and ignores files that do not match', async () => {
    const dir = logsDir();
    writeFileSync(join(dir, 'a.log'), 'a1\n');
    const got: Got[] = [];
    const r = await start(tailTopology(tailConfig([join(dir, '*.log')]), got));
    await eventually(() => got.length >= 1, { what: 'a1' });
    writeFileSync(join(dir, 'b.log'), 'b1\nb2\n');
    writeFileSync(join(dir, 'c.txt'), 'not me\n');
    await eventually(() => got.length >= 3, { what: 'the new file' });
    appendFileSync(join(dir, 'b.log'), 'b3\n');
    appendFileSync(join(dir, 'a.log'), 'a2\n');
    await eventually(() => got.length >= 5, { what: 'the appends' });
    expect(r.status().following).toBe(2);
    await pause(100);
    await r.stop();
    expect(got.filter((g) => g.file.endsWith('a.log')).map((g) => g.value)).toEqual(['a1', 'a2']);
    expect(got.filter((g) => g.file.endsWith('b.log')).map((g) => g.value)).toEqual(['b1', 'b2', 'b3']);
    expect(got).toHaveLength(5);
  });

  it('cuts a line longer than maxLineBytes and flags it with the truncated header', async () => {
    const dir = logsDir();
    const file = join(dir, 'app.log');
    writeFileSync(file, `short\n${'y'.repeat(100)}\nafter\n`);
    const got: Got[] = [];
    const r = await start(tailTopology(tailConfig([file], { maxLineBytes: 10, readBytes: 16 }), got));
    await eventually(() => got.length >= 3, { what: 'three lines' });
    await r.stop();
    expect(got).toEqual([
      { value: 'short', file, truncated: false },
      { value: 'y'.repeat(10), file, truncated: true },
      { value: 'after', file, truncated: false },
    ]);
  });

  it('reads an appended line when the file changes, not at its next poll', async () => {
    const dir = logsDir();
    const file = join(dir, 'app.log');
    writeFileSync(file, 'first\n');
    const got: Got[] = [];
    // Polls and scans an hour apart: only the change event can bring the later lines in time.
    const r = await start(tailTopology(tailConfig([file], { pollIntervalMs: 3_600_000, scanIntervalMs: 3_600_000 }), got));
    await eventually(() => got.length >= 1, { what: 'the first line' });
    for (let i = 0; i < 5; i++) {
      appendFileSync(file, `line-${i}\n`);
      await eventually(() => got.length >= i + 2, { what: `line-${i}`, timeoutMs: 5_000 });
    }
    await r.stop();
    expect(valuesOf(got)).toEqual(['first', 'line-0', 'line-1', 'line-2', 'line-3', 'line-4']);
  });

  it('waits without busy-looping when nothing is appended', async () => {
    const dir = logsDir();
    writeFileSync(join(dir, 'idle.log'), 'only\n');
    const got: Got[] = [];
    const r = await start(tailTopology(tailConfig([join(dir, '*.log')], { pollIntervalMs: 50, scanIntervalMs: 200 }), got));
    await eventually(() => got.length >= 1, { what: 'the line' });
    const cpu0 = process.cpuUsage();
    await pause(500);
    const cpu = process.cpuUsage(cpu0);
    await r.stop();
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(100);
    expect(got).toHaveLength(1);
  });
});

describe('file source, once mode', () => {
  it('is the default: reads every matching file to its end, then the run ends by itself', async () => {
    const dir = logsDir();
    writeFileSync(join(dir, 'a.log'), 'a1\na2\n');
    writeFileSync(join(dir, 'b.log'), 'b1\nb2-no-lf');
    const got: Got[] = [];
    const t = tailTopology(fileSourceConfig.parse({ paths: [join(dir, '*.log')] }), got);
    await run(t);
    expect(valuesOf(got)).toEqual(['a1', 'a2', 'b1', 'b2-no-lf']);
  });
});
