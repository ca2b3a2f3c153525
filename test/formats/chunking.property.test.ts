import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decompressKind } from '../../src/kinds/decompress.js';
import { LineChunker } from '../../src/formats/line-chunker.js';
import { splitKind } from '../../src/kinds/split.js';
import { transcodeKind } from '../../src/kinds/transcode.js';
import type { LogRecord } from '../../src/streams/record.js';
import { fileRecord, runStage } from '../kinds/pipeline/helpers.js';

type Encoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'gbk';

const gbkChars = ['a', 'Z', '0', ' ', '=', '"', '中', '文', '日', '志', '错', '误', '\t'];

/** A line without line ends; in UTF-16 it favours characters whose bytes hold 0A next to 00. */
function lineIn(encoding: Encoding): fc.Arbitrary<string> {
  if (encoding === 'gbk')
    return fc.array(fc.constantFrom(...gbkChars), { maxLength: 30 }).map((a) => a.join(''));
  const tricky = fc.constantFrom('\u0A20', '\u4E00', '\u0A00', '\u0000', '\u0A0A', '😀', 'é', 'x');
  return fc
    .array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 4 }), tricky), { maxLength: 12 })
    .map((parts) => parts.join('').replace(/[\r\n\uFEFF]/g, '_'));
}

const sample = fc
  .constantFrom<Encoding>('utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'gbk')
  .chain((encoding) =>
    fc.record({
      encoding: fc.constant(encoding),
      lines: fc.array(lineIn(encoding), { minLength: 1, maxLength: 40 }),
      crlf: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
      finalEol: fc.boolean(),
      skipEmpty: fc.boolean(),
      slack: fc.integer({ min: 0, max: 64 }),
      cuts: fc.array(fc.integer({ min: 1, max: 97 }), { maxLength: 30 }),
    }),
  );
type Sample = typeof sample extends fc.Arbitrary<infer T> ? T : never;

function textOf(s: Sample): string {
  return s.lines
    .map((l, i) => l + (i < s.lines.length - 1 || s.finalEol ? (s.crlf[i] ? '\r\n' : '\n') : ''))
    .join('');
}

function encode(text: string, encoding: Encoding): Buffer {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8-bom':
      return Buffer.from('\uFEFF' + text, 'utf8');
    case 'utf-16le':
    case 'utf-16be':
      return iconv.encode('\uFEFF' + text, encoding);
    case 'gbk':
      return iconv.encode(text, 'gbk');
  }
}

/** Longest encoded line with its terminator and a BOM: a chunk size that truncates nothing. */
function longestLine(s: Sample): number {
  const widest = Math.max(...s.lines.map((l) => encode(`${l}\r\n`, s.encoding).length));
  return widest + 4;
}

/** Chunks → transcode → split, as the pipeline runs them. */
async function linesOf(chunks: LogRecord[], s: Sample): Promise<[string | undefined, unknown][]> {
  const text = await runStage(
    transcodeKind,
    { charset: s.encoding === 'gbk' ? 'gbk' : 'auto' },
    chunks,
  );
  const lines = await runStage(splitKind, { skipEmpty: s.skipEmpty }, text.records);
  return lines.records.map((r) => [r.headers?.line as string | undefined, r.value]);
}

/** The same lines from the whole file as one chunk: what any chunking must give. */
async function reference(s: Sample): Promise<[string | undefined, unknown][]> {
  return linesOf(
    [
      {
        value: encode(textOf(s), s.encoding),
        ts: 0,
        headers: { chunk: '0', firstLine: '1', ...bomHeader(s) },
      },
    ],
    s,
  );
}

function bomHeader(s: Sample): Record<string, string> {
  if (s.encoding === 'utf-16le') return { charset: 'UTF-16LE' };
  if (s.encoding === 'utf-16be') return { charset: 'UTF-16BE' };
  return s.encoding === 'utf-8-bom' ? { charset: 'UTF-8' } : {};
}

describe('chunking at line ends', () => {
  it('gives the same numbered lines however the decoded bytes arrive and whatever the chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(sample, async (s) => {
        const bytes = encode(textOf(s), s.encoding);
        const chunker = new LineChunker(longestLine(s) + s.slack);
        const chunks: LogRecord[] = [];
        const take = (list: ReturnType<LineChunker['push']>): void => {
          for (const c of list) {
            const headers: Record<string, string> = {
              chunk: String(c.index),
              firstLine: String(c.firstLine),
            };
            if (chunker.charset !== undefined) headers.charset = chunker.charset;
            chunks.push({ value: c.bytes, ts: 0, headers });
          }
        };
        let at = 0;
        for (const cut of s.cuts) {
          take(chunker.push(bytes.subarray(at, at + cut)));
          at += cut;
        }
        take(chunker.push(bytes.subarray(at)));
        take(chunker.end());
        expect(Buffer.concat(chunks.map((c) => c.value as Uint8Array))).toEqual(bytes);
        expect(await linesOf(chunks, s)).toEqual(await reference(s));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same lines through the decompress stage for any chunkBytes', async () => {
    await fc.assert(
      fc.asyncProperty(sample, async (s) => {
        const out = await runStage(decompressKind, { chunkBytes: longestLine(s) + s.slack + 12 }, [
          fileRecord(gzipSync(encode(textOf(s), s.encoding))),
        ]);
        expect(out.dead).toEqual([]);
        expect(await linesOf(out.records, s)).toEqual(await reference(s));
      }),
      { numRuns: 150 },
    );
  });

  it('numbers lines as the lines written, skipping only empty ones', async () => {
    await fc.assert(
      fc.asyncProperty(sample, async (s) => {
        const expected = s.lines
          .map((l, i): [string, string] => [String(i + 1), l])
          .filter(
            ([n, l]) =>
              !(s.skipEmpty && l === '') &&
              !(l === '' && !s.finalEol && Number(n) === s.lines.length),
          );
        expect(await reference(s)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
