import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartitionRotation, exclusionCap } from '../../src/transport/partition-rotation.js';

type Op = { op: 'exclude' | 'include'; reason: string; partitions: number[] };

const MAX_PARTITIONS = 24;
const op: fc.Arbitrary<Op> = fc.record({
  op: fc.constantFrom('exclude' as const, 'include' as const),
  reason: fc.constantFrom('slow', 'failing', 'lag'),
  partitions: fc.uniqueArray(fc.nat(MAX_PARTITIONS - 1), { maxLength: 6 }),
});

/** The partitions some reason still asks to exclude, after `ops` (the model: sets of reasons). */
function asked(ops: readonly Op[]): Set<number> {
  const reasons = new Map<number, Set<string>>();
  for (const o of ops) {
    for (const p of o.partitions) {
      const r = reasons.get(p) ?? new Set<string>();
      if (o.op === 'exclude') r.add(o.reason);
      else r.delete(o.reason);
      reasons.set(p, r);
    }
  }
  return new Set([...reasons].filter(([, r]) => r.size > 0).map(([p]) => p));
}

describe('partition rotation', () => {
  it('never excludes more than the cap of a topic, always leaves one partition, and excludes exactly what is asked while under the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_PARTITIONS }), fc.double({ min: 0, max: 1, noNaN: true }), fc.array(op, { maxLength: 40 }), (n, share, ops) => {
        const rotation = new PartitionRotation(share);
        ops.forEach((o, t) => (o.op === 'exclude' ? rotation.exclude(o.reason, 'logs', o.partitions, t) : rotation.include(o.reason, 'logs', o.partitions)));
        const ids = Array.from({ length: n }, (_, p) => p);
        const out = rotation.excluded('logs', ids);
        const available = rotation.available('logs', ids);
        const cap = exclusionCap(n, share);
        const want = [...asked(ops)].filter((p) => p < n);

        expect(out.size).toBeLessThanOrEqual(cap);
        expect(out.size).toBeLessThanOrEqual(n - 1);
        expect(available.length).toBeGreaterThanOrEqual(1);
        expect([...available, ...out.keys()].sort((a, b) => a - b)).toEqual(ids);
        for (const p of out.keys()) expect(want).toContain(p);
        expect(out.size).toBe(Math.min(cap, want.length));
      }),
    );
  });

  it('gives a freed place to the oldest ask waiting for the cap', () => {
    const rotation = new PartitionRotation(0.25);
    const ids = [0, 1, 2, 3, 4, 5, 6, 7];
    rotation.exclude('slow', 'logs', [3], 1);
    rotation.exclude('lag', 'logs', [5], 2);
    rotation.exclude('lag', 'logs', [6], 3);
    rotation.exclude('slow', 'logs', [1], 4);
    expect([...rotation.excluded('logs', ids).keys()]).toEqual([3, 5]);
    expect(rotation.view(() => ids)).toEqual({ logs: { excluded: { 3: 'slow', 5: 'lag' }, capped: { 6: 'lag', 1: 'slow' } } });
    rotation.include('slow', 'logs', [3]);
    expect([...rotation.excluded('logs', ids).keys()]).toEqual([5, 6]);
  });

  it('keeps a partition out while any reason still asks for it', () => {
    const rotation = new PartitionRotation(0.5);
    rotation.exclude('slow', 'logs', [2], 1);
    rotation.exclude('lag', 'logs', [2], 2);
    rotation.include('slow', 'logs', [2]);
    expect(rotation.available('logs', [0, 1, 2])).toEqual([0, 1]);
    expect(rotation.excluded('logs', [0, 1, 2]).get(2)).toEqual({ reason: 'lag', since: 2 });
    rotation.include('lag', 'logs', [2]);
    expect(rotation.available('logs', [0, 1, 2])).toEqual([0, 1, 2]);
    expect(rotation.view(() => [0, 1, 2])).toEqual({});
  });

  it('treats topics apart: the cap counts each topic\'s own partitions', () => {
    const rotation = new PartitionRotation(0.5);
    rotation.exclude('lag', 'a', [0, 1], 1);
    rotation.exclude('lag', 'b', [0], 2);
    expect(rotation.available('a', [0, 1, 2, 3])).toEqual([2, 3]);
    expect(rotation.available('b', [0, 1])).toEqual([1]);
    expect(rotation.available('c', [0, 1])).toEqual([0, 1]);
  });

  it('rejects a share outside 0..1 with the value it got', () => {
    expect(() => new PartitionRotation(1.5)).toThrow('maxExcludedShare must be between 0 and 1, got 1.5');
  });
});
