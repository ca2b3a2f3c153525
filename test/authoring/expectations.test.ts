import { describe, expect, it } from 'vitest';
import { align, renderSteps } from '../../src/authoring/diff.js';
import { parseFieldPath, valueAtPath } from '../../src/authoring/field-path.js';
import { fieldFailures, matcherFailure } from '../../src/authoring/matchers.js';
import { recordDifferences, viewRecord } from '../../src/authoring/record-view.js';

describe('aligning expected and actual lists', () => {
  const same = (a: number, b: number): boolean => a === b;

  it('keeps common items in order and marks the others missing or extra', () => {
    expect(align([1, 2, 3], [1, 4, 3], same).map((s) => s.op)).toEqual(['same', 'missing', 'extra', 'same']);
    expect(align([1, 2], [], same).map((s) => s.op)).toEqual(['missing', 'missing']);
    expect(align([], [5], same).map((s) => s.op)).toEqual(['extra']);
  });

  it('renders - and + lines and explains a changed item under its pair', () => {
    const lines = renderSteps(align([1, 2, 3], [1, 4], same), {
      showExpected: String,
      showActual: String,
      explain: (e, a) => [`${e} is not ${a}`],
    });
    expect(lines).toEqual(['  1', '- 2', '+ 4', '    2 is not 4', '- 3']);
  });
});

describe('field paths', () => {
  it('parse dotted names with list indexes and reject malformed ones', () => {
    expect(parseFieldPath('value.tags[1].name')).toEqual(['value', 'tags', 1, 'name']);
    expect(parseFieldPath('headers.x-host')).toEqual(['headers', 'x-host']);
    expect(parseFieldPath('value..x')).toBeUndefined();
    expect(parseFieldPath('[0]')).toBeUndefined();
  });

  it('lead nowhere through strings, missing keys and short lists', () => {
    const data = { value: { tags: ['a'] }, key: 'k' };
    expect(valueAtPath(data, ['value', 'tags', 0])).toBe('a');
    expect(valueAtPath(data, ['value', 'tags', 1])).toBeUndefined();
    expect(valueAtPath(data, ['key', 'length'])).toBeUndefined();
  });
});

describe('checks', () => {
  it('pass when every condition holds and explain the first that does not', () => {
    expect(matcherFailure({ equals: { a: [1] } }, { a: [1] })).toBeUndefined();
    expect(matcherFailure({ equals: 'warn' }, 'info')).toBe('expected equals "warn", found "info"');
    expect(matcherFailure({ matches: '^seq=\\d+$' }, 'seq=12')).toBeUndefined();
    expect(matcherFailure({ matches: '"seq":1' }, { seq: 1 })).toBeUndefined();
    expect(matcherFailure({ exists: true }, null)).toBe('expected to exist, found nothing');
    expect(matcherFailure({ exists: false }, 'x')).toBe('expected not to exist, found "x"');
    expect(matcherFailure({ equals: null }, 'x')).toBe('expected equals null, found "x"');
  });

  it('name the field path that failed', () => {
    const record = { value: { level: 'info' }, ts: 0 };
    expect(fieldFailures({ 'value.level': { equals: 'warn' }, key: { exists: false } }, record)).toEqual(['value.level: expected equals "warn", found "info"']);
  });
});

describe('comparing records', () => {
  it('compares values exactly and key, headers and stream only when expected', () => {
    const actual = viewRecord({ value: { seq: 1, level: 'info' }, key: 'k', ts: 0 });
    expect(recordDifferences({ value: { seq: 1, level: 'info' } }, actual)).toEqual([]);
    expect(recordDifferences({ value: { seq: 1 } }, actual)).toEqual(['value.level: expected nothing, got "info"']);
    expect(recordDifferences({ value: { seq: 1, level: 'info' }, key: null }, actual)).toEqual(['key: expected null, got "k"']);
  });

  it('sees bytes as text when they are UTF-8 and as base64 otherwise', () => {
    expect(viewRecord({ value: new TextEncoder().encode('héllo'), ts: 0 }).value).toBe('héllo');
    const binary = viewRecord({ value: new Uint8Array([0xff, 0x00, 0xfe]), ts: 0 });
    expect(binary).toMatchObject({ base64: '/wD+' });
    expect(recordDifferences({ base64: '/wD+' }, binary)).toEqual([]);
    expect(recordDifferences({ value: 'x' }, binary)).toEqual(['value: expected "x", got {"base64":"/wD+"}']);
  });
});
