import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUCKET_MS, CircuitBreaker, SlidingWindow, WINDOW_BUCKETS, type BreakerSettings } from '../../src/transport/circuit-breaker.js';

type Step = { ok: boolean; advanceMs: number };

const step: fc.Arbitrary<Step> = fc.record({ ok: fc.boolean(), advanceMs: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 15_000 })) });

/** The model: events whose second is one of the last ten seconds up to `now`'s. */
function inWindow(events: readonly { at: number }[], now: number): number {
  const s = Math.floor(now / BUCKET_MS);
  return events.filter((e) => Math.floor(e.at / BUCKET_MS) > s - WINDOW_BUCKETS).length;
}

const SETTINGS: BreakerSettings = { failureRate: 0.5, minCalls: 10, openMs: 5000, halfOpenCalls: 3 };

function clocked(settings: BreakerSettings = SETTINGS): { breaker: CircuitBreaker; clock: { now: number } } {
  const clock = { now: 1_700_000_000_000 };
  return { breaker: new CircuitBreaker(settings, () => clock.now), clock };
}

describe('circuit breaker', () => {
  it('the sliding window sums exactly the events of the last ten one-second buckets, however time jumps', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
        const window = new SlidingWindow(2);
        const events: { at: number; ok: boolean }[] = [];
        let now = 5_000_123;
        for (const s of steps) {
          now += s.advanceMs;
          window.add(0, 1, now);
          if (!s.ok) window.add(1, 1, now);
          events.push({ at: now, ok: s.ok });
          expect(window.sum(0, now)).toBe(inWindow(events, now));
          expect(window.sum(1, now)).toBe(inWindow(events.filter((e) => !e.ok), now));
        }
      }),
    );
  });

  it('opens at the first call where the window holds minCalls calls and failureRate of them failed, and not before', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 200 }),
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (steps, minCalls, failureRate) => {
          const { breaker, clock } = clocked({ ...SETTINGS, minCalls, failureRate, openMs: 1e12 });
          const events: { at: number; ok: boolean }[] = [];
          for (const s of steps) {
            clock.now += s.advanceMs;
            breaker.record(s.ok);
            events.push({ at: clock.now, ok: s.ok });
            const calls = inWindow(events, clock.now);
            const failures = inWindow(events.filter((e) => !e.ok), clock.now);
            const shouldOpen = calls >= minCalls && failures / calls >= failureRate;
            if (shouldOpen) {
              expect(breaker.state).toBe('open');
              expect(breaker.transitions().count).toBe(1);
              return;
            }
            expect(breaker.state).toBe('closed');
          }
        },
      ),
    );
  });

  it('failures older than the window do not open it: 9 failures, 10 s, then 1 more with minCalls 10 stays closed', () => {
    const { breaker, clock } = clocked();
    for (let i = 0; i < 9; i++) breaker.record(false);
    clock.now += WINDOW_BUCKETS * BUCKET_MS;
    breaker.record(false);
    expect(breaker.state).toBe('closed');
    for (let i = 0; i < 9; i++) breaker.record(false);
    expect(breaker.state).toBe('open');
    expect(breaker.failureRate()).toBe(1);
  });

  it('turns half-open after openMs, lets halfOpenCalls probes through, closes on that many successes and reopens on a failure', () => {
    const { breaker, clock } = clocked();
    for (let i = 0; i < 10; i++) breaker.record(false, 'connection refused');
    expect(breaker.state).toBe('open');
    expect(breaker.allows()).toBe(false);
    clock.now += 4999;
    expect(breaker.allows()).toBe(false);
    clock.now += 1;
    expect(breaker.state).toBe('half-open');
    expect([breaker.allows(), breaker.allows(), breaker.allows(), breaker.allows()]).toEqual([true, true, true, false]);
    breaker.record(true);
    breaker.record(false, 'still refused');
    expect(breaker.state).toBe('open');
    clock.now += 5000;
    for (let i = 0; i < 3; i++) expect(breaker.allows()).toBe(true);
    for (let i = 0; i < 3; i++) breaker.record(true);
    expect(breaker.state).toBe('closed');
    expect(breaker.failureRate()).toBe(0);
    expect(breaker.transitions().last.map((t) => `${t.from}->${t.to}`)).toEqual(['closed->open', 'open->half-open', 'half-open->open', 'open->half-open', 'half-open->closed']);
    expect(breaker.transitions().last[0]!.reason).toBe('10 of 10 calls failed in 10 s (last: connection refused)');
  });
});
