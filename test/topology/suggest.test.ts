import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean, editDistance } from '../../src/topology/suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and transpositions', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('uper', 'upper')).toBe(1);
    expect(editDistance('upper', 'uper')).toBe(1);
    expect(editDistance('mapp', 'map')).toBe(1);
    expect(editDistance('form', 'from')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('is a symmetric distance, zero only for equal strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b);
        expect(editDistance(b, a)).toBe(d);
        expect(d === 0).toBe(a === b);
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
  });
});

describe('did-you-mean', () => {
  it('suggests close candidates only, ignoring case', () => {
    expect(closestMatch('generatr', ['generator', 'file'])).toBe('generator');
    expect(closestMatch('drophead', ['dropHead', 'dropNew'])).toBe('dropHead');
    expect(closestMatch('xyz', ['map', 'filter'])).toBeUndefined();
    expect(closestMatch('ab', ['xy'])).toBeUndefined();
    expect(closestMatch('ab', ['ab'])).toBeUndefined();
    expect(didYouMean('cout', ['count', 'rate'])).toBe('did you mean "count"?');
    expect(didYouMean('zzz', ['count'])).toBeUndefined();
  });
});
