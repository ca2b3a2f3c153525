import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/transport/circuit-breaker.js';
import { Failover, type WriteLane } from '../../src/transport/failover.js';
import { eventually } from '../kit/eventually.js';

/** A lane that stores what it is given (the routing under test; the clusters are in test/kinds/kafka/failover.test.ts). */
class StoringLane implements WriteLane<number> {
  readonly stored: number[] = [];
  async write(parts: readonly number[]): Promise<void> {
    this.stored.push(...parts);
  }
}

/** A lane whose writes wait until the test answers them: a cluster that stopped answering. */
class SilentLane implements WriteLane<number> {
  readonly waiting: { parts: readonly number[]; ack: () => void }[] = [];
  write(parts: readonly number[]): Promise<void> {
    return new Promise((resolve) => this.waiting.push({ parts, ack: resolve }));
  }
}

const breakerSettings = { failureRate: 0.5, minCalls: 2, openMs: 60_000, halfOpenCalls: 1 };

describe('failover routing', () => {
  it('while the breaker is open every write reaches the secondary, never more than maxShare of the records offered in the window, none dropped', async () => {
    await fc.assert(
      // A waiting write is offered again every waitMs, so small shares and small writes after large ones wait long: kept to a few seconds here.
      fc.asyncProperty(fc.double({ min: 0.3, max: 1, noNaN: true }), fc.array(fc.integer({ min: 5, max: 20 }), { minLength: 1, maxLength: 6 }), async (maxShare, sizes) => {
        const breaker = new CircuitBreaker(breakerSettings);
        breaker.trip('test: primary down');
        const secondary = new StoringLane();
        const failover = new Failover(new SilentLane(), secondary, breaker, { maxShare, callTimeoutMs: 1000, waitMs: 1 });
        let next = 0;
        for (const n of sizes) {
          const parts = Array.from({ length: n }, () => next++);
          await failover.write(parts, n);
          // status() rounds the share to 3 decimals: a share at the cap may round up past the exact cap, never past the cap rounded alike.
          expect(failover.status().secondaryShare).toBeLessThanOrEqual(Math.round(maxShare * 1000) / 1000);
        }
        expect(secondary.stored).toEqual(Array.from({ length: next }, (_, i) => i));
        expect(failover.status()).toMatchObject({ breaker: 'open', recordsToSecondary: next, duplicates: 0 });
      }),
      { numRuns: 10 },
    );
  });

  it('a write the primary leaves unanswered counts as failed calls, moves to the secondary when the breaker opens, and a late ack of it is counted as duplicates', async () => {
    const breaker = new CircuitBreaker(breakerSettings);
    const primary = new SilentLane();
    const secondary = new StoringLane();
    const failover = new Failover(primary, secondary, breaker, { maxShare: 1, callTimeoutMs: 20, waitMs: 1 });
    await failover.write([1, 2, 3], 3);
    expect(secondary.stored).toEqual([1, 2, 3]);
    expect(primary.waiting).toHaveLength(1);
    expect(breaker.transitions().last[0]).toMatchObject({ from: 'closed', to: 'open', reason: expect.stringMatching(/^2 of 2 calls failed in 10 s \(last: no acknowledgement from the primary cluster for 40 ms\)$/) });
    primary.waiting[0]!.ack();
    await eventually(() => failover.status().duplicates === 3, { what: 'the late ack counted as duplicates', timeoutMs: 2000 });
  });

  it('a write that fails on the primary while the breaker stays closed fails the write (the actor retries it), and is not sent to the secondary', async () => {
    const breaker = new CircuitBreaker({ ...breakerSettings, minCalls: 100 });
    const secondary = new StoringLane();
    const broken: WriteLane<number> = { write: () => Promise.reject(new Error('refused')) };
    const failover = new Failover(broken, secondary, breaker, { maxShare: 1, callTimeoutMs: 1000, waitMs: 1 });
    await expect(failover.write([1], 1)).rejects.toThrow('refused');
    expect(secondary.stored).toEqual([]);
    expect(breaker.state).toBe('closed');
  });
});
