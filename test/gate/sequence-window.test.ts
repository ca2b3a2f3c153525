import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SequenceWindow } from '../../src/gate/sequence-window.js';

describe('SequenceWindow', () => {
  it('an agent numbering from 0 keeps only its floor: nothing piles up above it', () => {
    const w = new SequenceWindow(1024, 10);
    for (let s = 0n; s < 5000n; s++) w.stored('agent\nweb', s);
    expect(w.toJson()).toEqual({ 'agent\nweb': ['4999'] });
    expect(w.has('agent\nweb', 0n)).toBe(true);
    expect(w.has('agent\nweb', 4999n)).toBe(true);
    expect(w.has('agent\nweb', 5000n)).toBe(false);
  });

  it('a sender that starts above 0 is remembered for its last window of batches, never more', () => {
    const w = new SequenceWindow(100, 10);
    for (let s = 10n; s < 1000n; s++) w.stored('late\nweb', s);
    const kept = (w.toJson() as Record<string, string[]>)['late\nweb']!;
    expect(kept[0]).toBe('-1');
    expect(kept.length - 1).toBeLessThanOrEqual(100);
    expect(w.has('late\nweb', 999n)).toBe(true);
    // Forgotten is "not stored": a retry of it is stored again (a duplicate), never dropped.
    expect(w.has('late\nweb', 10n)).toBe(false);
    expect(w.has('late\nweb', 5n)).toBe(false);
  });

  it('never answers a sequence that was not stored as stored (any order, any gaps)', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 300n }), { maxLength: 400 }), fc.integer({ min: 1, max: 64 }), (stored, window) => {
        const w = new SequenceWindow(window, 4);
        const really = new Set<bigint>();
        for (const s of stored) {
          w.stored('a\ns', s);
          really.add(s);
        }
        for (let s = 0n; s <= 300n; s++) if (w.has('a\ns', s)) expect(really.has(s)).toBe(true);
        const back = SequenceWindow.fromJson(w.toJson(), window, 4);
        for (let s = 0n; s <= 300n; s++) expect(back.has('a\ns', s)).toBe(w.has('a\ns', s));
      }),
    );
  });
});
