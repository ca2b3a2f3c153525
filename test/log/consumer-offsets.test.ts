import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ConsumerOffsetStore } from '../../src/log/consumer-offsets.js';

const writes = vi.hoisted(() => ({ count: 0, failNext: false }));
vi.mock('../../src/log/fs-util.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/log/fs-util.js')>();
  return {
    ...real,
    writeFileAtomic: (file: string, data: Uint8Array | string) => {
      writes.count++;
      if (writes.failNext) {
        writes.failNext = false;
        return Promise.reject(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }));
      }
      return real.writeFileAtomic(file, data);
    },
  };
});

describe('consumer offset store', () => {
  it('commits made while one is written share the next write, merged in call order, each resolving once durable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-offsets-'));
    const store = await ConsumerOffsetStore.open(dir);
    writes.count = 0;
    const commits = Array.from({ length: 200 }, (_, i) =>
      store.commit('g', [
        { topic: 't', partition: i % 3, offset: i },
        { topic: 'u', partition: 0, offset: 1000 - i },
      ]),
    );
    // The first write runs alone; all 199 commits made meanwhile go in the one after it.
    await commits[0];
    expect(store.committed('g', 't', 0)).toBe(0);
    expect(store.committed('g', 't', 1)).toBeUndefined();
    await Promise.all(commits);
    expect(writes.count).toBe(2);
    const last = { t0: 198, t1: 199, t2: 197, u0: 801 };
    const read = (s: ConsumerOffsetStore) => ({ t0: s.committed('g', 't', 0), t1: s.committed('g', 't', 1), t2: s.committed('g', 't', 2), u0: s.committed('g', 'u', 0) });
    expect(read(store)).toEqual(last);
    expect(read(await ConsumerOffsetStore.open(dir))).toEqual(last);
  });

  it('a commit after a failed write still carries the earlier commits of its group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-offsets-'));
    const store = await ConsumerOffsetStore.open(dir);
    writes.failNext = true;
    await expect(store.commit('g', [{ topic: 't', partition: 0, offset: 5 }])).rejects.toThrow(/EIO/);
    expect(store.committed('g', 't', 0)).toBeUndefined();
    await store.commit('g', [{ topic: 't', partition: 1, offset: 7 }]);
    const reopened = await ConsumerOffsetStore.open(dir);
    expect([reopened.committed('g', 't', 0), reopened.committed('g', 't', 1)]).toEqual([5, 7]);
  });
});
