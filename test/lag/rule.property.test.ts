import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { laggingPartitions, type PartitionLag } from '../../src/lag/rule.js';

const lagsArb = fc
  .array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 64 })
  .map((ls): PartitionLag[] => ls.map((lag, partition) => ({ partition, lag })));
const ruleArb = fc.record({
  k: fc.double({ min: 1, max: 20, noNaN: true }),
  floor: fc.nat({ max: 100_000 }),
  maxShare: fc.double({ min: 0, max: 0.99, noNaN: true }),
});

/** The rule spelled out per partition, as the issue states it. */
const qualifies = (p: PartitionLag, min: number, rule: { k: number; floor: number }): boolean => p.lag > rule.k * min && p.lag > rule.floor;

describe('the lag blacklist rule (k x min, floor, cap)', () => {
  it('takes out only partitions above k x the minimum lag and above the floor, never more than the capped share, the worst first, and never all', () => {
    fc.assert(
      fc.property(lagsArb, ruleArb, (lags, rule) => {
        const out = laggingPartitions(lags, rule);
        const min = Math.min(...lags.map((p) => p.lag));
        const byPartition = new Map(lags.map((p) => [p.partition, p]));
        const candidates = lags.filter((p) => qualifies(p, min, rule));
        const cap = Math.floor(rule.maxShare * lags.length);

        expect(new Set(out).size).toBe(out.length);
        expect(out).toEqual([...out].sort((a, b) => a - b));
        for (const p of out) expect(qualifies(byPartition.get(p)!, min, rule)).toBe(true);
        expect(out.length).toBe(Math.min(candidates.length, cap));
        expect(out.length).toBeLessThan(lags.length);
        // Capped: no partition left in rotation lags more than one taken out.
        const kept = candidates.filter((p) => !out.includes(p.partition));
        const leastOut = Math.min(...out.map((p) => byPartition.get(p)!.lag));
        for (const p of kept) expect(p.lag).toBeLessThanOrEqual(leastOut);
      }),
      { numRuns: 2000 },
    );
  });

  it('puts a partition back once its lag drops to within k x the minimum or to the floor', () => {
    fc.assert(
      fc.property(lagsArb, ruleArb, fc.nat({ max: 63 }), (lags, rule, pick) => {
        const target = lags[pick % lags.length]!;
        const min = Math.min(...lags.map((p) => p.lag));
        const caughtUp = lags.map((p) => (p.partition === target.partition ? { ...p, lag: Math.min(p.lag, Math.max(rule.floor, Math.floor(rule.k * min))) } : p));
        expect(laggingPartitions(caughtUp, rule)).not.toContain(target.partition);
      }),
      { numRuns: 2000 },
    );
  });

  it('is the same rule whatever order the partitions are listed in', () => {
    fc.assert(
      fc.property(lagsArb, ruleArb, fc.integer(), (lags, rule, seed) => {
        const shuffled = [...lags].sort((a, b) => ((a.partition * 7919 + seed) % 101) - ((b.partition * 7919 + seed) % 101));
        expect(laggingPartitions(shuffled, rule)).toEqual(laggingPartitions(lags, rule));
      }),
    );
  });

  it('examples: one slow partition of six is taken out; with every partition equal none is', () => {
    const rule = { k: 3, floor: 1000, maxShare: 0.34 };
    const lags = (ls: number[]): PartitionLag[] => ls.map((lag, partition) => ({ partition, lag }));
    expect(laggingPartitions(lags([10, 12, 50_000, 9, 11, 30_000]), rule)).toEqual([2, 5]);
    expect(laggingPartitions(lags([10, 12, 50_000, 9, 11, 30_000]), { ...rule, maxShare: 0.2 })).toEqual([2]);
    expect(laggingPartitions(lags([5000, 5000, 5000]), rule)).toEqual([]);
    expect(laggingPartitions(lags([0, 0, 900]), rule)).toEqual([]);
  });
});
