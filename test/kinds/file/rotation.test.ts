import { closeSync, copyFileSync, mkdirSync, openSync, renameSync, truncateSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../kit/eventually.js';
import { lines, logsDir, pause, start, tailConfig, tailTopology, valuesOf, type Got } from './helpers.js';

/** Appends `ls` through `fd`, pausing every `every` lines so the tailer reads mid-stream. */
async function write(fd: number, ls: readonly string[], every = 50): Promise<void> {
  for (const [i, l] of ls.entries()) {
    writeSync(fd, `${l}\n`);
    if (i % every === every - 1) await pause(5);
  }
}

const tagged = (got: readonly Got[], tag: string): string[] => valuesOf(got).filter((v) => v.startsWith(`${tag}-`));

describe('file source, tail mode, rotation', () => {
  it('loses nothing when the file is renamed mid-stream and a new one is created at its path (logrotate create)', async () => {
    const dir = logsDir();
    const file = join(dir, 'app.log');
    const oldFd = openSync(file, 'a');
    const got: Got[] = [];
    const r = await start(tailTopology(tailConfig([join(dir, '*.log')]), got));
    const before = lines('old', 0, 500);
    const afterRename = lines('old', 500, 200);
    const fresh = lines('new', 0, 500);
    await write(oldFd, before);
    renameSync(file, join(dir, 'app.log.1'));
    // The writer has not reopened yet: these land in the renamed file.
    await write(oldFd, afterRename);
    const newFd = openSync(file, 'a');
    await write(newFd, fresh.slice(0, 250));
    writeSync(oldFd, 'old-late\n');
    closeSync(oldFd);
    await write(newFd, fresh.slice(250));
    closeSync(newFd);
    await eventually(() => got.length >= 1201, { what: 'every line' });
    await eventually(() => r.status().following === 1, { what: 'the old file finished' });
    await pause(50);
    await r.stop();
    expect(tagged(got, 'old')).toEqual([...before, ...afterRename, 'old-late']);
    expect(tagged(got, 'new')).toEqual(fresh);
    expect(got).toHaveLength(1201);
    expect(r.status().rotations).toBe(1);
  });

  it('keeps the position of a file renamed to another name the globs match: nothing is read twice', async () => {
    const dir = logsDir();
    writeFileSync(join(dir, 'a.log'), `${lines('a', 0, 100).join('\n')}\n`);
    const got: Got[] = [];
    const r = await start(tailTopology(tailConfig([join(dir, '*.log')]), got));
    await eventually(() => got.length >= 100, { what: 'the first lines' });
    renameSync(join(dir, 'a.log'), join(dir, 'b.log'));
    await pause(100);
    const fd = openSync(join(dir, 'b.log'), 'a');
    await write(fd, lines('a', 100, 50));
    closeSync(fd);
    await eventually(() => got.length >= 150, { what: 'the appended lines' });
    await pause(100);
    await r.stop();
    expect(valuesOf(got)).toEqual(lines('a', 0, 150));
    expect(got.at(-1)?.file).toBe(join(dir, 'b.log'));
  });

  it('copytruncate: delivers every line that was in the file when it was copied, reading the unread rest from the copy, and counts the truncation', async () => {
    const dir = logsDir();
    const file = join(dir, 'app.log');
    const fd = openSync(file, 'a');
    const got: Got[] = [];
    const r = await start(tailTopology(tailConfig([join(dir, '*.log')], { pollIntervalMs: 200 }), got));
    const first = lines('gen1', 0, 300);
    const unread = lines('gen1', 300, 200);
    await write(fd, first);
    await eventually(() => got.length >= 300, { what: 'the first lines' });
    // Written, copied and truncated before the next poll: the tailer finds these only in the copy.
    await write(fd, unread, 1000);
    copyFileSync(file, join(dir, 'app.log.1'));
    truncateSync(file, 0);
    const second = lines('gen2', 0, 600);
    await write(fd, second, 1000);
    closeSync(fd);
    await eventually(() => got.length >= 1100, { what: 'every line' });
    await pause(150);
    await r.stop();
    expect(tagged(got, 'gen1')).toEqual([...first, ...unread]);
    expect(tagged(got, 'gen2')).toEqual(second);
    expect(got).toHaveLength(1100);
    expect(r.status()).toMatchObject({ truncations: 1, copiesFollowed: 1 });
  });

  it('copytruncate with the copy elsewhere: counts the truncation and reads the file again from offset 0', async () => {
    const dir = logsDir();
    const archive = join(dir, 'archive');
    mkdirSync(archive);
    const file = join(dir, 'app.log');
    const fd = openSync(file, 'a');
    const got: Got[] = [];
    const r = await start(tailTopology(tailConfig([join(dir, '*.log')]), got));
    const first = lines('gen1', 0, 200);
    await write(fd, first);
    await eventually(() => got.length >= 200, { what: 'the first lines' });
    copyFileSync(file, join(archive, 'app.log.1'));
    truncateSync(file, 0);
    await eventually(() => r.status().truncations === 1, { what: 'the truncation' });
    const second = lines('gen2', 0, 100);
    await write(fd, second);
    closeSync(fd);
    await eventually(() => got.length >= 300, { what: 'every line' });
    await pause(100);
    await r.stop();
    expect(valuesOf(got)).toEqual([...first, ...second]);
    expect(r.status()).toMatchObject({ truncations: 1, copiesFollowed: 0 });
  });

  it('reads a deleted file to its end, including what its writer adds after the delete, then closes it', async () => {
    const dir = logsDir();
    const file = join(dir, 'app.log');
    const fd = openSync(file, 'a');
    const got: Got[] = [];
    const r = await start(tailTopology(tailConfig([join(dir, '*.log')]), got));
    await write(fd, lines('d', 0, 100));
    await eventually(() => got.length >= 100, { what: 'the first lines' });
    unlinkSync(file);
    await write(fd, lines('d', 100, 100));
    closeSync(fd);
    await eventually(() => got.length >= 200, { what: 'every line' });
    await eventually(() => r.status().following === 0, { what: 'the deleted file closed' });
    await r.stop();
    expect(valuesOf(got)).toEqual(lines('d', 0, 200));
  });
});
