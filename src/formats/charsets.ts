import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import type jschardet from 'jschardet';
import { lazyRequire } from '../core/lazy-require.js';

/** The charset guesser, loaded the first time a file is not UTF-8. */
const loadJschardet = lazyRequire<typeof jschardet>('jschardet');

/** Charsets `transcode` can be told to use; `auto` reads the BOM header or detects. */
export const charsetNames = [
  'auto',
  'utf-8',
  'gbk',
  'gb18030',
  'big5',
  'utf-16le',
  'utf-16be',
  'latin1',
] as const;
export type CharsetName = (typeof charsetNames)[number];

/** Detection reads at most this many bytes of the lines holding non-ASCII bytes. */
const SAMPLE_BYTES = 16 * 1024;
const REPLACEMENT = '\uFFFD';

/** Decoded text and how many replacement characters invalid input put into it. */
export interface Decoded {
  text: string;
  replaced: number;
}

function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function count(haystack: string | Buffer, needle: string | Buffer): number {
  let n = 0;
  for (
    let i = haystack.indexOf(needle as never);
    i >= 0;
    i = haystack.indexOf(needle as never, i + needle.length)
  )
    n += 1;
  return n;
}

/**
 * The iconv-lite name for a charset label (`UTF-16LE`, `GB2312`, `ISO-8859-1`...), lower case;
 * undefined when iconv-lite cannot decode it. GB2312 maps to its superset GB18030.
 */
export function canonicalCharset(label: string): string | undefined {
  const name = label.trim().toLowerCase();
  if (name === 'ascii' || name === 'utf8' || name === 'utf-8-sig') return 'utf-8';
  if (name === 'gb2312') return 'gb18030';
  if (name === 'iso-8859-1' || name === 'latin-1') return 'latin1';
  return iconv.encodingExists(name) ? name : undefined;
}

/**
 * Decodes bytes in `charset` (an iconv-lite name), counting the replacement characters (U+FFFD)
 * that invalid sequences introduced; a U+FFFD encoded in valid UTF-8 or UTF-16 input is not
 * counted. A leading BOM is kept: {@link stripBom} removes it where a file starts.
 *
 * @example
 * decodeText(Buffer.from([0x61, 0xff, 0x62]), 'utf-8'); // { text: 'a\uFFFDb', replaced: 1 }
 */
export function decodeText(bytes: Uint8Array, charset: string): Decoded {
  const buf = view(bytes);
  if (charset === 'utf-8') {
    const text = buf.toString('utf8');
    if (isUtf8(buf)) return { text, replaced: 0 };
    return {
      text,
      replaced: count(text, REPLACEMENT) - count(buf, Buffer.from(REPLACEMENT, 'utf8')),
    };
  }
  const text = iconv.decode(buf, charset, { stripBOM: false });
  const literal =
    charset === 'utf-16le'
      ? literalUtf16(buf, 0xfd, 0xff)
      : charset === 'utf-16be'
        ? literalUtf16(buf, 0xff, 0xfd)
        : 0;
  return { text, replaced: count(text, REPLACEMENT) - literal };
}

/** U+FFFD code units at even offsets of UTF-16 input. */
function literalUtf16(buf: Buffer, first: number, second: number): number {
  let n = 0;
  for (let i = buf.indexOf(first); i >= 0 && i + 1 < buf.length; i = buf.indexOf(first, i + 1)) {
    if (i % 2 === 0 && buf[i + 1] === second) n += 1;
  }
  return n;
}

/** Removes a byte-order mark (U+FEFF) at the start of decoded text. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Guesses the charset of bytes without a BOM. Valid UTF-8 is UTF-8. Text that is mostly valid
 * UTF-8 (at least as many well-formed multi-byte characters as invalid sequences) is damaged
 * UTF-8, so its few bad bytes become replacement characters instead of mojibake. Anything else
 * goes to jschardet, restricted to `candidates` (chardet names): its guesses among every
 * encoding it knows are unreliable on short log lines. Falls back to UTF-8.
 *
 * @example
 * detectCharset(iconv.encode('msg="用户登录成功"', 'gbk'), ['utf-8', 'gb18030', 'big5']); // 'gb18030'
 */
export function detectCharset(bytes: Uint8Array, candidates: readonly string[]): string {
  const buf = view(bytes);
  if (isUtf8(buf)) return 'utf-8';
  const asUtf8 = buf.toString('utf8');
  const invalid = count(asUtf8, REPLACEMENT);
  if (wellFormedNonAscii(asUtf8) - invalid >= invalid) return 'utf-8';
  const guess = loadJschardet().detect(nonAsciiSample(buf), { detectEncodings: [...candidates] });
  return (guess.encoding !== null && canonicalCharset(guess.encoding)) || 'utf-8';
}

/** Non-ASCII characters in the text, U+FFFD included (the caller subtracts those). */
function wellFormedNonAscii(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) n += 1;
  return n;
}

/** The lines that hold non-ASCII bytes, up to {@link SAMPLE_BYTES}: what detection has to judge. */
function nonAsciiSample(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  let i = 0;
  while (i < buf.length && size < SAMPLE_BYTES) {
    if ((buf[i] as number) < 0x80) {
      i += 1;
      continue;
    }
    const start = buf.lastIndexOf(0x0a, i) + 1;
    const lf = buf.indexOf(0x0a, i);
    const end = lf < 0 ? buf.length : lf + 1;
    parts.push(buf.subarray(start, end));
    size += end - start;
    i = end;
  }
  return Buffer.concat(parts, size);
}
