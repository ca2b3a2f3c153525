import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { compressFrame } from 'lz4-napi';
import { describe, expect, it } from 'vitest';
import { decompressKind } from '../../../src/kinds/decompress.js';
import { rawZstdFrame } from '../../../src/sample/zstd.js';
import type { LogRecord } from '../../../src/streams/record.js';
import { fileRecord, joinBytes, runStage } from './helpers.js';
import { checkedRawFrame, flipped } from '../../formats/zstd-frames.js';

const fixtures = new URL('../../fixtures/pipeline/', import.meta.url);

/** The text both fixtures hold (see test/fixtures/pipeline/README.md). */
function fixtureText(): string {
  let s = '';
  for (let i = 1; i <= 4000; i++)
    s += `2026-11-20T08:15:02.113Z shop page_view user=u${i % 5000} n=${i}\n`;
  return s;
}

function numbered(count: number, eol = '\n'): string {
  return (
    Array.from({ length: count }, (_, i) => `line ${i + 1} ${'x'.repeat(i % 97)}`).join(eol) + eol
  );
}

/** Checks the chunk contract: in order, within chunkBytes, ending at LF, first lines exact. */
function expectChunks(
  records: readonly LogRecord[],
  chunkBytes: number,
  compression: string,
): void {
  let line = 1;
  records.forEach((r, i) => {
    const bytes = Buffer.from(r.value as Uint8Array);
    expect(r.headers).toMatchObject({
      chunk: String(i),
      firstLine: String(line),
      compression,
      file: 'hdfs:/logs/app.log.gz',
    });
    expect(r.key).toBe('hdfs:/logs/app.log.gz');
    expect(bytes.length).toBeLessThanOrEqual(chunkBytes);
    if (i < records.length - 1) expect(bytes[bytes.length - 1]).toBe(0x0a);
    line += bytes.toString('latin1').split('\n').length - 1;
  });
}

describe('decompress', () => {
  it('streams a gzip file as chunks cut at line ends, with exact first-line numbers', async () => {
    const text = numbered(3000);
    const out = await runStage(decompressKind, { chunkBytes: 16 * 1024 }, [
      fileRecord(gzipSync(text)),
    ]);
    expect(out.dead).toEqual([]);
    expect(out.pieces.length).toBe(out.records.length);
    expect(out.records.length).toBeGreaterThan(10);
    expect(joinBytes(out.records).toString()).toBe(text);
    expectChunks(out.records, 16 * 1024, 'gzip');
  });

  it('reads every member of a multi-member gzip file', async () => {
    const a = numbered(500);
    const b = 'tail 1\ntail 2\n';
    const out = await runStage(decompressKind, {}, [
      fileRecord(Buffer.concat([gzipSync(a), gzipSync(b)])),
    ]);
    expect(joinBytes(out.records).toString()).toBe(a + b);
  });

  it('decodes LZ4 frames written by lz4-napi and linked-block frames written by the lz4 tool', async () => {
    const text = numbered(2000);
    const napi = await runStage(decompressKind, { chunkBytes: 8192 }, [
      fileRecord(await compressFrame(Buffer.from(text))),
    ]);
    expect(joinBytes(napi.records).toString()).toBe(text);
    expectChunks(napi.records, 8192, 'lz4');
    const linked = await runStage(decompressKind, { chunkBytes: 50_000 }, [
      fileRecord(readFileSync(new URL('lines-linked.lz4', fixtures))),
    ]);
    expect(joinBytes(linked.records).toString()).toBe(fixtureText());
    expectChunks(linked.records, 50_000, 'lz4');
  });

  it('decodes zstd frames with compressed blocks (zstd tool) and raw blocks (sample writer)', async () => {
    const cli = await runStage(decompressKind, { chunkBytes: 30_000 }, [
      fileRecord(readFileSync(new URL('lines.zst', fixtures))),
    ]);
    expect(joinBytes(cli.records).toString()).toBe(fixtureText());
    expectChunks(cli.records, 30_000, 'zstd');
    const text = numbered(4000);
    const raw = await runStage(decompressKind, {}, [fileRecord(rawZstdFrame(Buffer.from(text)))]);
    expect(joinBytes(raw.records).toString()).toBe(text);
  });

  it('passes uncompressed bytes through as chunks, and a forced codec overrides the magic bytes', async () => {
    const text = numbered(100);
    const plain = await runStage(decompressKind, { chunkBytes: 1000 }, [
      fileRecord(Buffer.from(text)),
    ]);
    expect(joinBytes(plain.records).toString()).toBe(text);
    expectChunks(plain.records, 1000, 'none');
    const forced = await runStage(decompressKind, { codec: 'none' }, [fileRecord(gzipSync(text))]);
    expect(joinBytes(forced.records)).toEqual(gzipSync(text));
    expect(forced.records[0]?.headers?.compression).toBe('none');
  });

  it('delivers the lines decoded before a corrupt spot, then one dead record naming codec and offset', async () => {
    const text = numbered(20_000);
    const gz = Buffer.from(gzipSync(text));
    const at = Math.floor(gz.length / 2);
    for (let i = at; i < at + 8; i++) gz[i] = (gz[i] as number) ^ 0xff;
    const out = await runStage(decompressKind, { chunkBytes: 16 * 1024 }, [fileRecord(gz)]);
    const delivered = joinBytes(out.records).toString();
    expect(out.dead).toHaveLength(1);
    const dead = out.dead[0];
    expect(dead?.reason).toMatch(
      /^gzip error at decompressed byte \d+ \(\d+ lines delivered before it\): /,
    );
    expect(dead?.record.headers).toMatchObject({
      file: 'hdfs:/logs/app.log.gz',
      compression: 'gzip',
    });
    expect(Number(dead?.record.headers?.offset)).toBeGreaterThanOrEqual(delivered.length);
    expect(delivered.length).toBeGreaterThan(text.length / 4);
    expect(delivered.endsWith('\n')).toBe(true);
    // The first half of the file decodes intact: the delivered lines start exactly like the original.
    expect(text.startsWith(delivered.slice(0, text.length / 4))).toBe(true);
    expect(out.pieces.at(-1)?.dead).toHaveLength(1);
  });

  it('delivers every complete line of a truncated gzip file, then one dead record', async () => {
    const text = numbered(20_000);
    const gz = gzipSync(text);
    const out = await runStage(decompressKind, { chunkBytes: 16 * 1024 }, [
      fileRecord(gz.subarray(0, Math.floor(gz.length * 0.7))),
    ]);
    const delivered = joinBytes(out.records).toString();
    expect(text.startsWith(delivered)).toBe(true);
    expect(delivered.length).toBeGreaterThan(text.length / 2);
    expect(delivered.endsWith('\n')).toBe(true);
    expect(out.dead).toHaveLength(1);
    expect(out.dead[0]?.reason).toMatch(
      /^gzip error at decompressed byte (\d+) .*unexpected end of file/,
    );
    const lines = delivered.split('\n').length - 1;
    expect(out.dead[0]?.reason).toContain(`(${lines} lines delivered before it)`);
  });

  it('falls back to streaming for a small damaged gzip file, so its earlier lines still arrive', async () => {
    const text = numbered(2000);
    const gz = gzipSync(text);
    expect(gz.length).toBeLessThan((1024 * 1024) / 4);
    const out = await runStage(decompressKind, {}, [
      fileRecord(gz.subarray(0, Math.floor(gz.length * 0.8))),
    ]);
    const delivered = joinBytes(out.records).toString();
    expect(delivered.length).toBeGreaterThan(text.length / 2);
    expect(text.startsWith(delivered)).toBe(true);
    expect(out.dead).toHaveLength(1);
  });

  it('reports a damaged LZ4 file (block checksums) and a truncated zstd file as one dead record each', async () => {
    const text = numbered(3000);
    const lz4 = Buffer.from(await compressFrame(Buffer.from(text), { blockChecksums: true }));
    const middle = Math.floor(lz4.length / 2);
    lz4[middle] = (lz4[middle] as number) ^ 0xff;
    const bad = await runStage(decompressKind, {}, [fileRecord(lz4)]);
    expect(bad.dead.map((d) => d.reason)).toEqual([
      expect.stringMatching(/^lz4 error at decompressed byte \d+ .*: lz4: block checksum mismatch/),
    ]);
    expect(text.startsWith(joinBytes(bad.records).toString())).toBe(true);
    const zst = readFileSync(new URL('lines.zst', fixtures));
    const cut = await runStage(decompressKind, {}, [fileRecord(zst.subarray(0, zst.length - 100))]);
    expect(cut.dead.map((d) => d.reason)).toEqual([
      expect.stringMatching(/^zstd error at decompressed byte \d+ /),
    ]);
    expect(fixtureText().startsWith(joinBytes(cut.records).toString())).toBe(true);
  });

  it('dead-letters a zstd file whose content checksum fails, after its lines, and decodes the files after it', async () => {
    const text = Buffer.from(numbered(5000));
    const frame = checkedRawFrame(text);
    // A content byte in the last raw block; the block structure stays valid.
    const damaged = flipped(frame, frame.length - 4 - 300, 0x01);
    const out = await runStage(decompressKind, { chunkBytes: 16 * 1024 }, [
      fileRecord(readFileSync(new URL('lines.zst', fixtures)), '/logs/good.log.zst'),
      fileRecord(damaged, '/logs/bad.log.zst'),
      fileRecord(gzipSync(numbered(300)), '/logs/after.log.gz'),
    ]);
    const of = (path: string): string =>
      joinBytes(out.records.filter((r) => r.headers?.file === `hdfs:${path}`)).toString('latin1');
    expect(of('/logs/good.log.zst')).toBe(fixtureText());
    // Every line of the damaged file arrives (the checksum is checked at the frame's end).
    expect(of('/logs/bad.log.zst')).toBe(flipped(text, text.length - 300, 0x01).toString('latin1'));
    expect(of('/logs/after.log.gz')).toBe(numbered(300));
    expect(out.dead).toHaveLength(1);
    expect(out.dead[0]?.reason).toMatch(
      /^zstd error at decompressed byte \d+ \(5000 lines delivered before it\): zstd content checksum mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8} \(frame at compressed byte 0\)$/,
    );
    expect(out.dead[0]?.record.headers).toMatchObject({
      file: 'hdfs:/logs/bad.log.zst',
      compression: 'zstd',
      offset: String(text.length),
    });
  });

  it('cuts UTF-16 only at line-feed code units and names the charset from the BOM', async () => {
    // U+0A20 U+4E00 puts the bytes 0A 00 at an odd offset in UTF-16LE, U+4E00 U+0A20 puts 00 0A there in BE.
    const text =
      '\uFEFF' +
      Array.from({ length: 400 }, (_, i) => `行 ${i} \u0A20\u4E00\u0A20`).join('\r\n') +
      '\r\n';
    for (const [charset, bytes] of [
      ['UTF-16LE', Buffer.from(text, 'utf16le')],
      ['UTF-16BE', Buffer.from(text, 'utf16le').swap16()],
    ] as const) {
      const out = await runStage(decompressKind, { chunkBytes: 500 }, [
        fileRecord(gzipSync(bytes)),
      ]);
      let line = 1;
      for (const r of out.records) {
        const chunk = Buffer.from(r.value as Uint8Array);
        expect(r.headers).toMatchObject({ charset, firstLine: String(line) });
        expect(chunk.length % 2).toBe(0);
        const decoded = (charset === 'UTF-16LE' ? chunk : Buffer.from(chunk).swap16()).toString(
          'utf16le',
        );
        expect(decoded.endsWith('\n')).toBe(true);
        line += decoded.split('\n').length - 1;
      }
      expect(line).toBe(401);
      expect(joinBytes(out.records)).toEqual(bytes);
    }
  });

  it('cuts a line longer than a chunk to chunkBytes, flags it truncated and keeps later line numbers', async () => {
    const text = `short 1\n${'y'.repeat(5000)}\nshort 3\nshort 4`;
    const out = await runStage(decompressKind, { chunkBytes: 1024 }, [
      fileRecord(Buffer.from(text)),
    ]);
    const views = out.records.map((r) => [
      r.headers?.firstLine,
      r.headers?.truncated,
      Buffer.from(r.value as Uint8Array).toString(),
    ]);
    expect(views).toEqual([
      ['1', undefined, 'short 1\n'],
      ['2', 'true', 'y'.repeat(1024)],
      ['3', undefined, 'short 3\nshort 4'],
    ]);
  });

  it('dead-letters a record that is not bytes and counts files and chunks in status', async () => {
    const out = await runStage(decompressKind, {}, [
      { value: 'text', ts: 0 },
      fileRecord(gzipSync('a\nb\n')),
    ]);
    expect(out.dead.map((d) => d.reason)).toEqual(["decompress expects a file's bytes, got text"]);
    expect(out.status).toEqual({ files: 1, chunks: 1, bytesOut: 4, damaged: 0 });
  });
});
