import { describe, expect, it } from 'vitest';
import { ClaimTable } from '../../../src/kinds/hdfs/claims.js';
import { tempDir } from './helpers.js';

const entry = { path: 'app/x.gz', size: 10, mtime: 1000 };

describe('claim table', () => {
  it('lets one poller hold a file at a time and hands it out again once released', () => {
    const claims = new ClaimTable(tempDir('claims'));
    const held = claims.claim('a', entry, 0);
    expect(held).toMatchObject({ file: 'a:app/x.gz', cluster: 'a', slot: 0 });
    expect(claims.claim('a', entry, 1)).toBeUndefined();
    expect(claims.claim('b', entry, 1)?.file).toBe('b:app/x.gz');
    claims.release(held as NonNullable<typeof held>);
    expect(claims.claim('a', entry, 1)?.slot).toBe(1);
    claims.close();
  });

  it('remembers done files across reopening, for the size and mtime they were read at', () => {
    const dir = tempDir('done');
    const first = new ClaimTable(dir);
    const held = first.claim('a', entry, 0);
    first.complete([held as NonNullable<typeof held>]);
    expect(first.inFlightCount).toBe(0);
    first.close();

    const second = new ClaimTable(dir);
    expect(second.isDone('a:app/x.gz', 10, 1000)).toBe(true);
    expect(second.claim('a', entry, 0)).toBeUndefined();
    expect(second.claim('a', { ...entry, size: 11, mtime: 2000 }, 0)?.file).toBe('a:app/x.gz');
    second.close();
  });

  it('forgets in-flight claims when reopened, so a restarted process reads them again', () => {
    const dir = tempDir('inflight');
    const first = new ClaimTable(dir);
    first.claim('a', entry, 0);
    first.close();
    const second = new ClaimTable(dir);
    expect(second.claim('a', entry, 1)?.slot).toBe(1);
    second.close();
  });

  it('keeps rejected files with their reason and skips them until they change', () => {
    const claims = new ClaimTable(tempDir('rejected'));
    claims.reject('a', entry, 'too large');
    expect(claims.claim('a', entry, 0)).toBeUndefined();
    expect(claims.rejected(10)).toEqual([{ file: 'a:app/x.gz', reason: 'too large' }]);
    expect(claims.claim('a', { ...entry, size: 5 }, 0)).toBeDefined();
    claims.close();
  });
});
