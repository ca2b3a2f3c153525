import { describe, expect, it } from 'vitest';
import { EndOfInput, NotConnected } from '../../src/core/errors.js';

/** What another copy of millrace (a kind package's own install) would define. */
const endOfInput: unique symbol = Symbol.for('millrace.EndOfInput');
const notConnected: unique symbol = Symbol.for('millrace.NotConnected');
class ForeignEndOfInput extends Error {
  readonly [endOfInput] = true;
}
class ForeignNotConnected extends Error {
  readonly [notConnected] = true;
}

describe('kind contract errors', () => {
  it("are recognised when thrown by another copy of millrace's classes", () => {
    expect(new ForeignEndOfInput('done') instanceof EndOfInput).toBe(true);
    expect(new ForeignNotConnected('gone') instanceof NotConnected).toBe(true);
  });

  it('are told apart from each other and from plain errors', () => {
    expect(new EndOfInput() instanceof NotConnected).toBe(false);
    expect(new NotConnected('gone') instanceof EndOfInput).toBe(false);
    expect(new Error('end of input') instanceof EndOfInput).toBe(false);
    expect(new NotConnected('gone') instanceof Error).toBe(true);
    const nothing: unknown = null;
    expect(nothing instanceof EndOfInput).toBe(false);
  });
});
