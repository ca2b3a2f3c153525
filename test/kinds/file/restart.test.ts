import { appendFileSync, copyFileSync, readFileSync, renameSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../kit/eventually.js';
import { lines, logsDir, pause, start, tailConfig, tailTopology, valuesOf, type Got } from './helpers.js';

const text = (ls: readonly string[]): string => ls.map((l) => `${l}\n`).join('');

describe('file source, tail mode, restarts', () => {
  it('resumes from the committed offset after a graceful stop: no line twice, none missing', async () => {
    const dir = logsDir();
    const file = join(dir, 'app.log');
    const got: Got[] = [];
    const t = tailTopology(tailConfig([join(dir, '*.log')]), got);
    writeFileSync(file, text(lines('r', 0, 300)));
    const first = await start(t);
    await eventually(() => got.length >= 300, { what: 'the first run' });
    await first.stop();
    const saved = JSON.parse(readFileSync(join(t.dataDir, 'checkpoints', 'src.json'), 'utf8')) as { files: Record<string, { path: string; offset: number }> };
    expect(Object.values(saved.files)).toEqual([expect.objectContaining({ path: file, offset: text(lines('r', 0, 300)).length })]);
    appendFileSync(file, text(lines('r', 300, 200)));
    const second = await start(t);
    appendFileSync(file, text(lines('r', 500, 100)));
    await eventually(() => got.length >= 600, { what: 'the second run' });
    await pause(100);
    await second.stop();
    expect(valuesOf(got)).toEqual(lines('r', 0, 600));
  });

  it('reads the rest of a file rotated by rename while stopped from its committed offset, and the new file from its start', async () => {
    const dir = logsDir();
    const file = join(dir, 'app.log');
    const got: Got[] = [];
    const t = tailTopology(tailConfig([join(dir, '*.log')]), got);
    writeFileSync(file, text(lines('old', 0, 100)));
    const first = await start(t);
    await eventually(() => got.length >= 100, { what: 'the first run' });
    await first.stop();
    appendFileSync(file, text(lines('old', 100, 50)));
    renameSync(file, join(dir, 'app.log.1'));
    writeFileSync(file, text(lines('new', 0, 30)));
    const second = await start(t);
    await eventually(() => got.length >= 180, { what: 'the second run' });
    await eventually(() => second.status().following === 1, { what: 'the rotated file finished' });
    await second.stop();
    expect(valuesOf(got).filter((v) => v.startsWith('old-'))).toEqual(lines('old', 0, 150));
    expect(valuesOf(got).filter((v) => v.startsWith('new-'))).toEqual(lines('new', 0, 30));
    expect(got).toHaveLength(180);
  });

  it('reads on in the copy of a file truncated while stopped (copytruncate), then the file from offset 0', async () => {
    const dir = logsDir();
    const file = join(dir, 'app.log');
    const got: Got[] = [];
    const t = tailTopology(tailConfig([join(dir, '*.log')]), got);
    writeFileSync(file, text(lines('gen1', 0, 100)));
    const first = await start(t);
    await eventually(() => got.length >= 100, { what: 'the first run' });
    await first.stop();
    appendFileSync(file, text(lines('gen1', 100, 50)));
    copyFileSync(file, join(dir, 'app.log.1'));
    truncateSync(file, 0);
    appendFileSync(file, text(lines('gen2', 0, 20)));
    const second = await start(t);
    await eventually(() => got.length >= 170, { what: 'the second run' });
    await pause(150);
    await second.stop();
    expect(valuesOf(got).filter((v) => v.startsWith('gen1-'))).toEqual(lines('gen1', 0, 150));
    expect(valuesOf(got).filter((v) => v.startsWith('gen2-'))).toEqual(lines('gen2', 0, 20));
    expect(got).toHaveLength(170);
    expect(second.status()).toMatchObject({ truncations: 1, copiesFollowed: 1 });
  });

  it('reads a file deleted and created anew at its path while stopped from its start, even when it is longer and may reuse the inode', async () => {
    const dir = logsDir();
    const file = join(dir, 'app.log');
    const got: Got[] = [];
    const t = tailTopology(tailConfig([join(dir, '*.log')]), got);
    writeFileSync(file, text(lines('one', 0, 100)));
    const first = await start(t);
    await eventually(() => got.length >= 100, { what: 'the first run' });
    await first.stop();
    unlinkSync(file);
    writeFileSync(file, text(lines('two', 0, 200)));
    const second = await start(t);
    await eventually(() => got.length >= 300, { what: 'the second run' });
    await pause(100);
    await second.stop();
    expect(valuesOf(got)).toEqual([...lines('one', 0, 100), ...lines('two', 0, 200)]);
  });
});
