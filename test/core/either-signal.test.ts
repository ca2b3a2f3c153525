import { describe, expect, it } from 'vitest';
import { EitherSignal } from '../../src/core/either-signal.js';

describe('EitherSignal', () => {
  it('aborts when the given signal aborts, and reuses one signal per given signal', () => {
    const fixed = new AbortController();
    const either = new EitherSignal(fixed.signal);
    const actor = new AbortController();
    const signal = either.with(actor.signal);
    expect(either.with(actor.signal)).toBe(signal);
    expect(signal.aborted).toBe(false);
    actor.abort(new Error('actor stopped'));
    expect(signal.aborted).toBe(true);
    expect(fixed.signal.aborted).toBe(false);
  });

  it('aborts every signal made from it when the fixed signal aborts', () => {
    const fixed = new AbortController();
    const either = new EitherSignal(fixed.signal);
    const made = [new AbortController(), new AbortController()].map((c) => either.with(c.signal));
    fixed.abort();
    expect(made.map((s) => s.aborted)).toEqual([true, true]);
  });
});
