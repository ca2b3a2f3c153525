import { describe, expect, it } from 'vitest';
import { SharedResources } from '../../src/core/shared-resources.js';

/** A resource that records its opens and closes. */
function tracked(): { opened: number; closed: number[]; open: () => Promise<number>; close: (n: number) => Promise<void> } {
  const t = {
    opened: 0,
    closed: [] as number[],
    open: async () => {
      await new Promise((r) => setImmediate(r));
      return ++t.opened;
    },
    close: async (n: number) => {
      await new Promise((r) => setImmediate(r));
      t.closed.push(n);
    },
  };
  return t;
}

describe('shared resources', () => {
  it('concurrent acquirers of a key share one open, and only the last release closes it', async () => {
    const shared = new SharedResources();
    const r = tracked();
    const leases = await Promise.all([1, 2, 3].map(() => shared.acquire('k', r.open, r.close)));
    expect(r.opened).toBe(1);
    expect(leases.map((l) => l.resource)).toEqual([1, 1, 1]);
    await leases[0]?.release();
    await leases[0]?.release(); // idempotent: not a second hold given up
    await leases[1]?.release();
    expect(r.closed).toEqual([]);
    await leases[2]?.release();
    expect(r.closed).toEqual([1]);
  });

  it('different keys and different registries open their own resources', async () => {
    const a = new SharedResources();
    const b = new SharedResources();
    const r = tracked();
    const leases = [await a.acquire('x', r.open, r.close), await a.acquire('y', r.open, r.close), await b.acquire('x', r.open, r.close)];
    expect(leases.map((l) => l.resource).sort()).toEqual([1, 2, 3]);
  });

  it('a failed open reaches every waiter and is forgotten: the next acquire opens again', async () => {
    const shared = new SharedResources();
    let attempts = 0;
    const open = async (): Promise<string> => {
      attempts += 1;
      await new Promise((r) => setImmediate(r));
      if (attempts === 1) throw new Error('refused');
      return 'up';
    };
    const first = await Promise.allSettled([shared.acquire('k', open, () => undefined), shared.acquire('k', open, () => undefined)]);
    expect(first.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(attempts).toBe(1);
    const lease = await shared.acquire('k', open, () => undefined);
    expect(lease.resource).toBe('up');
    expect(attempts).toBe(2);
  });

  it('a key closed by its last release is opened again only after that close has finished', async () => {
    const shared = new SharedResources();
    const events: string[] = [];
    let finishClose: () => void = () => undefined;
    const close = (): Promise<void> =>
      new Promise((done) => {
        events.push('close started');
        finishClose = () => {
          events.push('close finished');
          done();
        };
      });
    const open = (): string => {
      events.push('open');
      return 'log';
    };
    const lease = await shared.acquire('k', open, close);
    const releasing = lease.release();
    const reacquiring = shared.acquire('k', open, close);
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['open', 'close started']);
    finishClose();
    await releasing;
    await reacquiring;
    expect(events).toEqual(['open', 'close started', 'close finished', 'open']);
  });

  it('an unusable resource is replaced for new acquirers and closed once its last holder releases it', async () => {
    const shared = new SharedResources();
    const r = tracked();
    const broken = new Set<number>();
    const usable = (n: number): boolean => !broken.has(n);
    const old = await shared.acquire('k', r.open, r.close, { usable });
    broken.add(old.resource);
    const fresh = await shared.acquire('k', r.open, r.close, { usable });
    expect(fresh.resource).toBe(2);
    expect(r.closed).toEqual([]);
    await old.release();
    expect(r.closed).toEqual([1]);
    await fresh.release();
    expect(r.closed).toEqual([1, 2]);
  });

  it("a scope's releaseAll gives up that scope's leases only", async () => {
    const shared = new SharedResources();
    const r = tracked();
    const crashed = shared.scope();
    const alive = shared.scope();
    await crashed.share('k', r.open, r.close);
    await crashed.share('other', r.open, r.close);
    const kept = await alive.share('k', r.open, r.close);
    await crashed.releaseAll();
    expect(r.closed).toEqual([2]); // 'other' had no other holder; 'k' is still held
    await kept.release();
    await alive.releaseAll(); // already released: nothing twice
    expect(r.closed.sort()).toEqual([1, 2]);
  });
});
