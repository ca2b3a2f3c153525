import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotConnected } from '../../src/core/errors.js';
import { FileChanged, FileGone, walkBases } from '../../src/stores/backend.js';
import { LocalStore } from '../../src/stores/local-store.js';
import { put, tempDir } from '../kinds/hdfs/helpers.js';

const signal = new AbortController().signal;

describe('local file store', () => {
  it('lists files below the root recursively with size and mtime, filtered by paths and ignore globs', async () => {
    const dir = tempDir('store');
    put(dir, 'app/2026/a.log.gz', 'abc');
    put(dir, 'app/2026/b.log', 'hello');
    put(dir, 'app/2026/c.log.gz._COPYING_', 'partial');
    put(dir, 'app/.hidden.gz', 'x');
    put(dir, 'other/d.gz', 'd');
    const store = new LocalStore(dir, {
      paths: ['app/**/*.gz', 'app/**/*.log'],
      ignore: ['**/*._COPYING_'],
    });
    const files = (await store.list(signal)).sort((x, y) => x.path.localeCompare(y.path));
    expect(files.map((f) => [f.path, f.size])).toEqual([
      ['app/2026/a.log.gz', 3],
      ['app/2026/b.log', 5],
    ]);
    expect(Math.abs((files[0]?.mtime ?? 0) - (Date.now() - 60_000))).toBeLessThan(5000);
  });

  it('reads a listed file whole', async () => {
    const dir = tempDir('read');
    put(dir, 'x.log', 'the bytes');
    const store = new LocalStore(dir, { paths: ['**/*'], ignore: [] });
    const [entry] = await store.list(signal);
    expect(
      Buffer.from(await store.read(entry as NonNullable<typeof entry>, signal)).toString(),
    ).toBe('the bytes');
  });

  it('reports a file appended to or deleted since its listing as changed or gone', async () => {
    const dir = tempDir('changed');
    put(dir, 'grow.log', 'a');
    put(dir, 'gone.log', 'b');
    const store = new LocalStore(dir, { paths: ['**/*'], ignore: [] });
    const entries = await store.list(signal);
    const grow = entries.find((e) => e.path === 'grow.log') as NonNullable<(typeof entries)[0]>;
    const gone = entries.find((e) => e.path === 'gone.log') as NonNullable<(typeof entries)[0]>;
    appendFileSync(join(dir, 'grow.log'), 'more');
    rmSync(join(dir, 'gone.log'));
    await expect(store.read(grow, signal)).rejects.toBeInstanceOf(FileChanged);
    await expect(store.read(gone, signal)).rejects.toBeInstanceOf(FileGone);
  });

  it('counts a missing root as not connected, like an unmounted volume', async () => {
    const store = new LocalStore(join(tempDir('missing'), 'nope'), { paths: ['**/*'], ignore: [] });
    await expect(store.list(signal)).rejects.toBeInstanceOf(NotConnected);
    await expect(store.probe()).rejects.toBeInstanceOf(NotConnected);
  });
});

describe('walk bases', () => {
  it('walks only the static prefix of each glob, once', () => {
    expect(walkBases(['**/*'])).toEqual(['']);
    expect(walkBases(['logs/2026/*.gz', 'logs/2026/x/*.gz', 'audit/a.log'])).toEqual([
      'audit',
      'logs/2026',
    ]);
    expect(walkBases(['*.gz', 'logs/**'])).toEqual(['']);
  });
});
