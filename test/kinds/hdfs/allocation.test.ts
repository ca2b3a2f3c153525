import { describe, expect, it } from 'vitest';
import { allocate, homeSlots, moves } from '../../../src/kinds/hdfs/allocation.js';
import { ClusterHealth } from '../../../src/kinds/hdfs/health.js';

const cluster = (name: string, weight: number, pollers: number, healthy = true) => ({
  name,
  weight,
  pollers,
  healthy,
});

describe('poller allocation', () => {
  it('numbers slots across clusters in config order', () => {
    expect(homeSlots([cluster('a', 1, 2), cluster('b', 1, 3)])).toEqual(['a', 'a', 'b', 'b', 'b']);
  });

  it('gives the slots of an unhealthy cluster to the healthy cluster of highest weight', () => {
    expect(allocate([cluster('a', 1, 1), cluster('b', 1, 2, false), cluster('c', 5, 1)])).toEqual([
      'a',
      'c',
      'c',
      'c',
    ]);
  });

  it('prefers the first cluster in config order among equal weights', () => {
    expect(allocate([cluster('a', 2, 1, false), cluster('b', 3, 1), cluster('c', 3, 1)])).toEqual([
      'b',
      'b',
      'c',
    ]);
  });

  it('keeps every slot home when no cluster is healthy', () => {
    expect(allocate([cluster('a', 1, 1, false), cluster('b', 2, 2, false)])).toEqual([
      'a',
      'b',
      'b',
    ]);
  });

  it('groups changed slots into moves by origin and destination', () => {
    expect(moves(['a', 'b', 'b', 'c'], ['a', 'a', 'a', 'a'])).toEqual([
      { from: 'b', to: 'a', slots: [1, 2] },
      { from: 'c', to: 'a', slots: [3] },
    ]);
    expect(moves(['a', 'b'], ['a', 'b'])).toEqual([]);
  });
});

describe('cluster health', () => {
  it('turns unhealthy after connectAttempts failures in a row, and healthy on the next success', () => {
    const h = new ClusterHealth({ connectAttempts: 3, unhealthyAfterMs: 60_000 });
    expect([h.failure('refused'), h.failure('refused')]).toEqual([false, false]);
    expect(h.success()).toBe(false);
    expect([h.failure('refused'), h.failure('refused'), h.failure('refused')]).toEqual([
      false,
      false,
      true,
    ]);
    expect(h.view()).toMatchObject({ healthy: false, failures: 3, lastError: 'refused' });
    expect(h.failure('still refused')).toBe(false);
    expect(h.success()).toBe(true);
    expect(h.view()).toMatchObject({ healthy: true, failures: 0, failingForMs: 0 });
  });

  it('turns unhealthy once it has been failing for unhealthyAfterMs, whatever the count', () => {
    let now = 0;
    const h = new ClusterHealth({ connectAttempts: 100, unhealthyAfterMs: 1000 }, () => now);
    expect(h.failure('timeout')).toBe(false);
    now = 999;
    expect(h.failure('timeout')).toBe(false);
    now = 1000;
    expect(h.failure('timeout')).toBe(true);
    expect(h.view().failingForMs).toBe(1000);
  });
});
