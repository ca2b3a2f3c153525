import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText, detectCharset } from '../../../src/formats/charsets.js';
import { transcodeKind } from '../../../src/kinds/transcode.js';
import type { LogRecord } from '../../../src/streams/record.js';
import { runStage } from './helpers.js';

type Charset = 'utf-8' | 'gbk' | 'gb18030' | 'big5' | 'utf-16le' | 'utf-16be' | 'latin1';

/** Characters from `from`..`to` that survive an encode/decode round trip in `charset`. */
function encodable(charset: Charset, from: number, to: number, step = 1): string[] {
  const out: string[] = [];
  for (let cp = from; cp <= to; cp += step) {
    const c = String.fromCodePoint(cp);
    if (iconv.decode(iconv.encode(c, charset), charset) === c) out.push(c);
  }
  return out;
}

const printable = encodable('utf-8', 0x20, 0x7e).concat(['\n', '\r\n', '\t']);
const alphabets: Record<Charset, string[]> = {
  'utf-8': [],
  'utf-16le': [],
  'utf-16be': [],
  gbk: printable.concat(encodable('gbk', 0x4e00, 0x9fa5, 7), encodable('gbk', 0x3000, 0x303f)),
  gb18030: printable.concat(
    encodable('gb18030', 0x4e00, 0x9fff, 5),
    encodable('gb18030', 0x1f600, 0x1f64f),
  ),
  big5: printable.concat(encodable('big5', 0x4e00, 0x9fa5, 7), encodable('big5', 0xff01, 0xff5e)),
  latin1: encodable('latin1', 0x00, 0xff).filter((c) => c !== '\uFEFF'),
};

/** Text in `charset`'s repertoire: any Unicode scalar values for the UTFs (no lone surrogates). */
function textIn(charset: Charset): fc.Arbitrary<string> {
  const chars = alphabets[charset];
  const text =
    chars.length > 0
      ? fc.array(fc.constantFrom(...chars), { maxLength: 300 }).map((a) => a.join(''))
      : fc.string({ unit: 'grapheme', maxLength: 300 });
  // A leading U+FEFF is a BOM and is stripped by design.
  return text.filter((t) => !t.startsWith('\uFEFF'));
}

function bytesRecord(bytes: Uint8Array, headers: Record<string, string> = {}): LogRecord {
  return { value: bytes, key: 'f', ts: 0, headers: { chunk: '0', ...headers } };
}

describe('transcode', () => {
  for (const charset of [
    'utf-8',
    'gbk',
    'gb18030',
    'big5',
    'utf-16le',
    'utf-16be',
    'latin1',
  ] as const) {
    it(`round-trips any text encoded in ${charset}`, async () => {
      await fc.assert(
        fc.asyncProperty(textIn(charset), async (text) => {
          const out = await runStage(transcodeKind, { charset }, [
            bytesRecord(iconv.encode(text, charset)),
          ]);
          expect(out.records[0]?.value).toBe(text);
          expect(out.records[0]?.headers?.replaced).toBeUndefined();
          expect(out.records[0]?.headers?.charset).toBe(charset);
        }),
        { numRuns: 60 },
      );
    });
  }

  it("decodes by the BOM header in auto mode and strips the BOM in a file's first chunk only", async () => {
    const text = '行 1\r\nzweite Zeile\r\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf-16be')]);
    const out = await runStage(transcodeKind, {}, [
      bytesRecord(le, { charset: 'UTF-16LE' }),
      bytesRecord(be, { charset: 'UTF-16BE' }),
      bytesRecord(Buffer.from('\uFEFFlater', 'utf8'), { chunk: '3' }),
    ]);
    expect(out.records.map((r) => [r.value, r.headers?.charset])).toEqual([
      [text, 'utf-16le'],
      [text, 'utf-16be'],
      ['\uFEFFlater', 'utf-8'],
    ]);
  });

  it('detects GBK, Big5 and Latin-1 chunks without a BOM', async () => {
    const gbk = iconv.encode(
      '2026-11-20T08:15:02Z shop error msg="用户登录成功 网络连接超时"\n'.repeat(3),
      'gbk',
    );
    const big5 = iconv.encode(
      '2026-11-20T08:15:02Z shop error msg="使用者登入成功 網路連線逾時"\n'.repeat(3),
      'big5',
    );
    const latin = iconv.encode(
      '2026-11-20T08:15:02Z shop error msg="café Müller naïve"\n',
      'latin1',
    );
    const out = await runStage(transcodeKind, {}, [
      bytesRecord(gbk),
      bytesRecord(big5),
      bytesRecord(latin),
    ]);
    expect(out.records.map((r) => r.headers?.charset)).toEqual(['gb18030', 'big5', 'latin1']);
    expect(out.records.map((r) => (r.value as string).split('"')[1])).toEqual([
      '用户登录成功 网络连接超时',
      '使用者登入成功 網路連線逾時',
      'café Müller naïve',
    ]);
  });

  it("detects a file's charset once: its later chunks that are not UTF-8 take it, other files and chunk 0 detect afresh", async () => {
    const gbk = iconv.encode('2026-11-20T08:15:02Z shop error msg="用户登录成功 网络连接超时"\n'.repeat(3), 'gbk');
    const latin = iconv.encode('2026-11-20T08:15:02Z shop error msg="café Müller naïve"\n', 'latin1');
    const ascii = Buffer.from('2026-11-20T08:15:02Z shop page_view user=u1\n');
    const out = await runStage(transcodeKind, {}, [
      bytesRecord(gbk, { file: 'a', chunk: '0' }),
      bytesRecord(latin, { file: 'a', chunk: '1' }),
      bytesRecord(ascii, { file: 'a', chunk: '2' }),
      bytesRecord(latin, { file: 'b', chunk: '1' }),
      bytesRecord(latin, { file: 'a', chunk: '0' }),
      bytesRecord(latin, { chunk: '3' }),
    ]);
    expect(out.records.map((r) => r.headers?.charset)).toEqual(['gb18030', 'gb18030', 'utf-8', 'latin1', 'latin1', 'latin1']);
  });

  it('keeps mostly-valid UTF-8 as UTF-8 and counts the replacement characters its bad bytes became', async () => {
    const bytes = Buffer.concat([
      Buffer.from('msg="支付成功'),
      Buffer.from([0xff]),
      Buffer.from('" 订单\n'),
      Buffer.from([0xc3]),
      Buffer.from('\n'),
    ]);
    expect(detectCharset(bytes, ['utf-8', 'gb18030', 'big5', 'windows-1252'])).toBe('utf-8');
    const out = await runStage(transcodeKind, {}, [
      bytesRecord(bytes),
      bytesRecord(Buffer.from('fine \uFFFD already')),
    ]);
    expect(out.records.map((r) => [r.value, r.headers?.replaced])).toEqual([
      ['msg="支付成功\uFFFD" 订单\n\uFFFD\n', '2'],
      ['fine \uFFFD already', undefined],
    ]);
    expect(out.status).toEqual({
      records: 2,
      replaced: 2,
      recordsWithReplacements: 1,
      charsets: { 'utf-8': 2 },
    });
  });

  it('counts replacements in legacy charsets and not U+FFFD that valid UTF-16 encodes', () => {
    expect(decodeText(Buffer.from([0x61, 0x81, 0x20]), 'big5').replaced).toBe(1);
    expect(decodeText(iconv.encode('a\uFFFDb', 'utf-16le'), 'utf-16le')).toEqual({
      text: 'a\uFFFDb',
      replaced: 0,
    });
    expect(decodeText(iconv.encode('a\uFFFDb', 'utf-16be'), 'utf-16be')).toEqual({
      text: 'a\uFFFDb',
      replaced: 0,
    });
  });

  it('passes text through and dead-letters structured values', async () => {
    const out = await runStage(transcodeKind, {}, [
      { value: 'already text', ts: 0 },
      { value: { a: 1 }, ts: 0 },
    ]);
    expect(out.records.map((r) => r.value)).toEqual(['already text']);
    expect(out.dead.map((d) => d.reason)).toEqual([
      'transcode expects bytes or text, got a structure',
    ]);
  });
});
