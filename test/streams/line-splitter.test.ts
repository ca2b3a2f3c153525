import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/streams/line-splitter.js';

function split(chunks: Buffer[], max = 1 << 20): { lines: string[]; ends: number[]; truncated: number } {
  const s = new LineSplitter(max);
  const out = chunks.flatMap((c) => s.push(c)).concat(s.end());
  return { lines: out.map((l) => l.bytes.toString('utf8')), ends: out.map((l) => l.end), truncated: s.truncatedLines };
}

function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

describe('LineSplitter', () => {
  it('yields the same lines and offsets for any chunking of a byte stream (LF and CRLF)', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'é', '中', ' ', '\r'), maxLength: 20 }).filter((s) => !s.endsWith('\r'));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), fc.array(fc.nat(), { maxLength: 10 }), (lines, eol, cuts) => {
        const bytes = Buffer.from(lines.map((l) => l + eol).join(''));
        const whole = split([bytes]);
        const pieces = split(chunked(bytes, cuts));
        expect(pieces).toEqual(whole);
        expect(whole.lines).toEqual(lines);
        expect(whole.ends.at(-1) ?? 0).toBe(bytes.length);
      }),
    );
  });

  it('cuts an over-long line to the limit, flags it, and keeps the lines after it', () => {
    const bytes = Buffer.from(`short\n${'x'.repeat(50)}\nafter\nlast`);
    for (const chunks of [[bytes], chunked(bytes, [3, 10, 20, 40, 57])]) {
      const s = new LineSplitter(8);
      const out = chunks.flatMap((c) => s.push(c)).concat(s.end());
      expect(out.map((l) => [l.bytes.toString(), l.truncated])).toEqual([
        ['short', false],
        ['xxxxxxxx', true],
        ['after', false],
        ['last', false],
      ]);
      expect(s.truncatedLines).toBe(1);
    }
  });
});
