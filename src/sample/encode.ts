import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { compressFrameSync } from 'lz4-napi';

/** Text encodings of sample files. */
export type SampleEncoding = 'utf-8' | 'gbk' | 'big5' | 'utf-16le' | 'latin1';

/** Marks, in generated text, where an undecodable byte goes (NUL never occurs otherwise). */
export const BAD_BYTE_MARK = '\u0000';
/** 0xFF is invalid everywhere in UTF-8: each one decodes to exactly one U+FFFD. */
const BAD_BYTE = 0xff;

/**
 * `text` in `encoding`; UTF-16LE gets a byte-order mark, as Windows tools write it. Each
 * {@link BAD_BYTE_MARK} becomes an undecodable 0xFF byte (meant for UTF-8 files).
 *
 * @example
 * encodeText('a\u0000b', 'utf-8'); // <61 ff 62>
 */
export function encodeText(text: string, encoding: SampleEncoding): Buffer {
  if (encoding === 'utf-16le')
    return Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]);
  const bytes = encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, encoding);
  if (!text.includes(BAD_BYTE_MARK)) return bytes;
  for (let i = bytes.indexOf(0); i >= 0; i = bytes.indexOf(0, i + 1)) bytes[i] = BAD_BYTE;
  return bytes;
}

/**
 * gzip of `parts`, one gzip member per part (several parts make a multi-member file, as
 * `cat a.gz b.gz` or appending writers produce).
 */
export function gzipMembers(parts: readonly Buffer[]): Buffer {
  return Buffer.concat(parts.map((p) => gzipSync(p)));
}

/** An LZ4 frame with block and content checksums, so damage is always detected. */
export function lz4Frame(bytes: Buffer): Buffer {
  return compressFrameSync(bytes, { blockChecksums: true, contentChecksum: true });
}

/** A copy with `count` bytes inverted from the middle on: a corrupt archive. */
export function flipBytes(bytes: Buffer, count = 4): Buffer {
  const out = Buffer.from(bytes);
  const at = Math.floor(out.length / 2);
  for (let i = at; i < Math.min(at + count, out.length); i++) out[i] = (out[i] as number) ^ 0xff;
  return out;
}

/** The first 60% of an archive: a transfer that broke off. */
export function truncate(bytes: Buffer): Buffer {
  return bytes.subarray(0, Math.floor(bytes.length * 0.6));
}
