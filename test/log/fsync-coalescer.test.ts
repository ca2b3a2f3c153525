import { describe, expect, it } from 'vitest';
import { FsyncCoalescer } from '../../src/log/fsync-coalescer.js';

function deferredSync() {
  const calls: (() => void)[] = [];
  const sync = (): Promise<void> => new Promise<void>((resolve) => calls.push(resolve));
  return { calls, sync };
}

describe('FsyncCoalescer', () => {
  it('requests made while an fsync runs share exactly one following fsync (group commit)', async () => {
    const { calls, sync } = deferredSync();
    const c = new FsyncCoalescer(sync);
    const first = c.request();
    const later = Array.from({ length: 10 }, () => c.request());
    expect(calls).toHaveLength(1);
    let laterDone = false;
    void Promise.all(later).then(() => (laterDone = true));
    calls[0]!();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(laterDone).toBe(false); // the running fsync may predate their writes
    expect(calls).toHaveLength(2);
    calls[1]!();
    await Promise.all(later);
    expect(calls).toHaveLength(2);
  });

  it('propagates a failed fsync to its waiters and starts fresh afterwards', async () => {
    let fail = true;
    const c = new FsyncCoalescer(async () => {
      if (fail) throw new Error('EIO');
    });
    await expect(c.request()).rejects.toThrow('EIO');
    fail = false;
    await expect(c.request()).resolves.toBeUndefined();
  });
});
