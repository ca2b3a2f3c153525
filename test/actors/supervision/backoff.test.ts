import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/actors/supervision/index.js';

const params = fc
  .record({
    minMs: fc.integer({ min: 0, max: 10_000 }),
    span: fc.integer({ min: 0, max: 1_000_000 }),
    jitter: fc.double({ min: 0, max: 2, noNaN: true }),
  })
  .map(({ minMs, span, jitter }) => ({ minMs, maxMs: minMs + span, jitter }));
// 2^n overflows to Infinity past n = 1023; that range has its own test below.
const attempt = fc.integer({ min: 0, max: 1_000 });
const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('backoffDelay', () => {
  it('backoff delays follow min(max, min*2^n)*(1+random*jitter)', () => {
    fc.assert(
      fc.property(attempt, params, random, (n, b, r) => {
        const expected = Math.min(b.maxMs, b.minMs * 2 ** n) * (1 + r * b.jitter);
        expect(backoffDelay(n, b, () => r)).toBeCloseTo(expected, 6);
      }),
    );
  });

  it('stays within [base, base*(1+jitter)] and never exceeds max*(1+jitter)', () => {
    fc.assert(
      fc.property(attempt, params, random, (n, b, r) => {
        const delay = backoffDelay(n, b, () => r);
        const base = Math.min(b.maxMs, b.minMs * 2 ** n);
        expect(Number.isFinite(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(base);
        expect(delay).toBeLessThanOrEqual(base * (1 + b.jitter) + 1e-6);
        expect(delay).toBeLessThanOrEqual(b.maxMs * (1 + b.jitter) + 1e-6);
      }),
    );
  });

  it('never decreases as the attempt grows, for the same random draw', () => {
    fc.assert(
      fc.property(attempt, params, random, (n, b, r) => {
        expect(backoffDelay(n + 1, b, () => r)).toBeGreaterThanOrEqual(backoffDelay(n, b, () => r));
      }),
    );
  });

  it('doubles from minMs up to maxMs without jitter', () => {
    const b = { minMs: 100, maxMs: 1_000, jitter: 0 };
    const delays = [0, 1, 2, 3, 4, 5, 60].map((n) => backoffDelay(n, b, () => 0.5));
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it('adds random*jitter of the delay on top', () => {
    expect(backoffDelay(0, { minMs: 100, maxMs: 1_000, jitter: 0.2 }, () => 0.5)).toBeCloseTo(110);
    expect(backoffDelay(10, { minMs: 100, maxMs: 1_000, jitter: 0.2 }, () => 0.999)).toBeCloseTo(
      1_199.8,
    );
  });

  it('stays finite for attempts so large that 2^n overflows', () => {
    expect(backoffDelay(5_000, { minMs: 100, maxMs: 1_000, jitter: 0.5 }, () => 0.5)).toBe(1_250);
    expect(backoffDelay(5_000, { minMs: 0, maxMs: 1_000, jitter: 0.5 }, () => 0.5)).toBe(0);
  });

  it('rejects a negative or fractional attempt', () => {
    const b = { minMs: 100, maxMs: 1_000, jitter: 0 };
    expect(() => backoffDelay(-1, b, Math.random)).toThrow(RangeError);
    expect(() => backoffDelay(1.5, b, Math.random)).toThrow(RangeError);
  });
});
