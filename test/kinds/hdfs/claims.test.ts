import { describe, expect, it } from 'vitest';
import { ClaimTable } from '../../../src/kinds/hdfs/claims.js';
import type { Claim } from '../../../src/kinds/hdfs/claim-store.js';
import { tempDir } from './helpers.js';

const entry = { path: 'app/x.gz', size: 10, mtime: 1000 };

function held(claim: Claim | undefined): Claim {
  if (claim === undefined) throw new Error('expected a claim');
  return claim;
}

describe('claim table', () => {
  it('lets one poller hold a file at a time and hands it out again once released', async () => {
    const claims = new ClaimTable(tempDir('claims'));
    const first = held(await claims.claim('a', entry, 0));
    expect(first).toMatchObject({ file: 'a:app/x.gz', cluster: 'a', slot: 0 });
    expect(claims.holds(first)).toBe(true);
    expect(await claims.claim('a', entry, 1)).toBeUndefined();
    expect((await claims.claim('b', entry, 1))?.file).toBe('b:app/x.gz');
    await claims.release(first);
    expect(claims.holds(first)).toBe(false);
    expect((await claims.claim('a', entry, 1))?.slot).toBe(1);
    await claims.close();
  });

  it('remembers done files across reopening, for the size and mtime they were read at', async () => {
    const dir = tempDir('done');
    const first = new ClaimTable(dir);
    await first.complete([held(await first.claim('a', entry, 0))]);
    expect(first.inFlightCount).toBe(0);
    await first.close();

    const second = new ClaimTable(dir);
    expect(second.isDone('a:app/x.gz', 10, 1000)).toBe(true);
    expect(await second.claim('a', entry, 0)).toBeUndefined();
    const changed = { ...entry, size: 11, mtime: 2000 };
    expect((await second.candidates('a', [entry, changed])).free).toEqual([changed]);
    expect((await second.claim('a', changed, 0))?.file).toBe('a:app/x.gz');
    await second.close();
  });

  it('forgets in-flight claims when reopened, so a restarted process reads them again', async () => {
    const dir = tempDir('inflight');
    const first = new ClaimTable(dir);
    await first.claim('a', entry, 0);
    await first.close();
    const second = new ClaimTable(dir);
    expect((await second.claim('a', entry, 1))?.slot).toBe(1);
    await second.close();
  });

  it('keeps rejected files with their reason and skips them until they change', async () => {
    const claims = new ClaimTable(tempDir('rejected'));
    await claims.reject(held(await claims.claim('a', entry, -1)), 'too large');
    expect(await claims.claim('a', entry, 0)).toBeUndefined();
    expect(claims.rejected(10)).toEqual([{ file: 'a:app/x.gz', reason: 'too large' }]);
    expect(await claims.claim('a', { ...entry, size: 5 }, 0)).toBeDefined();
    await claims.close();
  });
});
