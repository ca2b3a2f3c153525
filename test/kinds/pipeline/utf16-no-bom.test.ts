import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompressKind } from '../../../src/kinds/decompress.js';
import { transcodeKind } from '../../../src/kinds/transcode.js';
import { sniffUtf16 } from '../../../src/formats/utf16-sniff.js';
import { fileRecord, runStage } from './helpers.js';

const lines = Array.from(
  { length: 300 },
  (_, i) => `2026-11-20T08:15:02.${String(i % 1000).padStart(3, '0')}Z shop page_view user=u${i} msg="登录 ${i}"`,
);
const text = lines.join('\r\n') + '\r\n';

/** decompress (small chunks) then transcode in auto mode, as the log pipeline runs them. */
async function decodeFile(bytes: Uint8Array): Promise<{ text: string; charsets: string[] }> {
  const chunks = await runStage(decompressKind, { chunkBytes: 256 }, [fileRecord(gzipSync(bytes))]);
  expect(chunks.dead).toEqual([]);
  const out = await runStage(transcodeKind, {}, chunks.records);
  return {
    text: out.records.map((r) => r.value as string).join(''),
    charsets: [...new Set(out.records.map((r) => (r.headers?.charset as string | undefined) ?? ''))],
  };
}

describe('UTF-16 without a byte-order mark', () => {
  it('is detected by its NUL pattern, cut at line-feed code units and decoded whole (LE and BE)', async () => {
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(text, 'utf16le').swap16();
    expect(await decodeFile(le)).toEqual({ text, charsets: ['utf-16le'] });
    expect(await decodeFile(be)).toEqual({ text, charsets: ['utf-16be'] });
  });

  it('is detected by transcode alone on chunks that come without a charset header', async () => {
    const out = await runStage(transcodeKind, {}, [
      { value: Buffer.from('level=info msg=ok\n', 'utf16le'), ts: 0, headers: { chunk: '0' } },
      { value: Buffer.from('level=info msg=ok\n', 'utf16le').swap16(), ts: 0, headers: { chunk: '0' } },
    ]);
    expect(out.records.map((r) => [r.value, r.headers?.charset])).toEqual([
      ['level=info msg=ok\n', 'utf-16le'],
      ['level=info msg=ok\n', 'utf-16be'],
    ]);
  });

  it('leaves UTF-8 with NUL bytes in it (runs of NULs, a NUL here and there) as UTF-8', async () => {
    const nuls = Buffer.concat([Buffer.from('a=1 '), Buffer.alloc(64), Buffer.from(' b=2\n')]);
    const sparse = Buffer.from('k=v\u0000 x=1\u0000 y=2 z=\u0000\n'.repeat(20));
    for (const bytes of [nuls, sparse]) {
      const decoded = await decodeFile(bytes);
      expect(decoded).toEqual({ text: bytes.toString('utf8'), charsets: ['utf-8'] });
    }
  });

  it('takes a few bytes of UTF-8 with a NUL for UTF-8, and eight code units in the pattern for UTF-16', () => {
    expect(sniffUtf16(Buffer.from(' x\u0000\n'))).toBeUndefined();
    expect(sniffUtf16(Buffer.from('a\u0000b\u0000\n'))).toBeUndefined();
    expect(sniffUtf16(Buffer.from('k=v x=1', 'utf16le'))).toBeUndefined();
    expect(sniffUtf16(Buffer.from('k=v x=12', 'utf16le'))).toBe('UTF-16LE');
    expect(sniffUtf16(Buffer.from('k=v x=12', 'utf16le').swap16())).toBe('UTF-16BE');
  });
});
