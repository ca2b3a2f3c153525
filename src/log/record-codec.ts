/*
 * On-disk record frame format (all integers big-endian).
 *
 * A partition is a directory of segment files `<baseOffset, 20 digits>.log`.
 * A segment file is a plain concatenation of frames, no file header:
 *
 *   offset  size  field
 *   0       4     bodyLength  u32, bytes of `body` (frame = 8 + bodyLength)
 *   4       4     crc         u32, CRC-32 (IEEE, zlib) of `body`
 *   8       ...   body:
 *                   u8   version      = 1
 *                   u8   flags        bit0 = key present, bit1 = headers present
 *                   u32  offsetHigh   record offset = offsetHigh * 2^32 + offsetLow
 *                   u32  offsetLow
 *                   f64  ts           record timestamp (ms)
 *                   u32  keyLength    + key bytes (UTF-8); 0 when absent
 *                   u32  headerCount  then per header: u32 nameLen, name, u32 valueLen, value
 *                   u32  valueLength  + value bytes
 *
 * Recovery trusts a frame only if its whole body is present, bodyLength is
 * within [MIN_BODY_BYTES, maxRecordBytes], the CRC matches, the version is
 * known and the offset is the one expected next. Sealed segments also have a
 * `<baseOffset>.index` sidecar (see sparse-index.ts).
 */
import { crc32 } from 'node:zlib';
import { InvalidRecord } from './errors.js';
import type { LogEntry, StoredEntry } from './entry.js';
import { byteLengthOf, textOrBytes, type TextOrBytes } from '../core/text-or-bytes.js';

export const FRAME_HEADER_BYTES = 8;
const FORMAT_VERSION = 1;
const FLAG_KEY = 1;
const FLAG_HEADERS = 2;
/** version + flags + offset(8) + ts(8) + keyLength + headerCount + valueLength */
export const MIN_BODY_BYTES = 1 + 1 + 8 + 8 + 4 + 4 + 4;
const TWO_32 = 2 ** 32;

/** Encoded size of the frame holding `rec` (header included). */
export function frameSize(rec: LogEntry): number {
  let size = FRAME_HEADER_BYTES + MIN_BODY_BYTES + rec.value.byteLength;
  if (rec.key !== undefined) size += byteLengthOf(rec.key);
  if (rec.headers !== undefined) {
    for (const [k, v] of Object.entries(rec.headers)) {
      size += 8 + Buffer.byteLength(k, 'utf8') + byteLengthOf(v);
    }
  }
  return size;
}

function writeString(buf: Buffer, pos: number, s: TextOrBytes): number {
  let n: number;
  if (typeof s === 'string') n = buf.write(s, pos + 4, 'utf8');
  else {
    buf.set(s, pos + 4);
    n = s.byteLength;
  }
  buf.writeUInt32BE(n, pos);
  return pos + 4 + n;
}

/**
 * Writes the frame of `rec` with `offset` at `buf[pos]`; `buf` must have
 * `frameSize(rec)` bytes free there. Returns the position after the frame.
 */
export function encodeFrame(buf: Buffer, pos: number, offset: number, rec: LogEntry): number {
  const bodyStart = pos + FRAME_HEADER_BYTES;
  let p = bodyStart;
  buf[p++] = FORMAT_VERSION;
  buf[p++] = (rec.key !== undefined ? FLAG_KEY : 0) | (rec.headers !== undefined ? FLAG_HEADERS : 0);
  buf.writeUInt32BE(Math.floor(offset / TWO_32), p);
  buf.writeUInt32BE(offset % TWO_32, p + 4);
  buf.writeDoubleBE(rec.ts, p + 8);
  p += 16;
  if (rec.key !== undefined) p = writeString(buf, p, rec.key);
  else p = buf.writeUInt32BE(0, p);
  const headers = rec.headers === undefined ? [] : Object.entries(rec.headers);
  p = buf.writeUInt32BE(headers.length, p);
  for (const [k, v] of headers) p = writeString(buf, writeString(buf, p, k), v);
  p = buf.writeUInt32BE(rec.value.byteLength, p);
  buf.set(rec.value, p);
  p += rec.value.byteLength;
  buf.writeUInt32BE(p - bodyStart, pos);
  buf.writeUInt32BE(crc32(buf.subarray(bodyStart, p)), pos + 4);
  return p;
}

/** Result of checking the frame at a position; see {@link checkFrame}. */
export type FrameCheck =
  | { status: 'ok'; frameBytes: number; offset: number; ts: number }
  | { status: 'incomplete'; frameBytes: number | undefined }
  | { status: 'corrupt'; reason: string };

/**
 * Validates the frame at `buf[pos]` (bytes up to `end` are available).
 * 'incomplete' means more bytes are needed (frameBytes is the plausible frame
 * size when the header could be read); 'corrupt' means the bytes can never
 * form a valid frame.
 */
export function checkFrame(buf: Buffer, pos: number, end: number, maxRecordBytes: number): FrameCheck {
  if (end - pos < FRAME_HEADER_BYTES) return { status: 'incomplete', frameBytes: undefined };
  const bodyLength = buf.readUInt32BE(pos);
  if (bodyLength < MIN_BODY_BYTES || bodyLength + FRAME_HEADER_BYTES > maxRecordBytes) {
    return { status: 'corrupt', reason: `implausible body length ${bodyLength}` };
  }
  const frameBytes = FRAME_HEADER_BYTES + bodyLength;
  if (end - pos < frameBytes) return { status: 'incomplete', frameBytes };
  const bodyStart = pos + FRAME_HEADER_BYTES;
  if (crc32(buf.subarray(bodyStart, bodyStart + bodyLength)) !== buf.readUInt32BE(pos + 4)) {
    return { status: 'corrupt', reason: 'crc mismatch' };
  }
  if (buf[bodyStart] !== FORMAT_VERSION) return { status: 'corrupt', reason: `unknown version ${buf[bodyStart]}` };
  const offset = buf.readUInt32BE(bodyStart + 2) * TWO_32 + buf.readUInt32BE(bodyStart + 6);
  return { status: 'ok', frameBytes, offset, ts: buf.readDoubleBE(bodyStart + 10) };
}

function readString(buf: Buffer, pos: number, end: number): [string, number] {
  const n = buf.readUInt32BE(pos);
  const start = pos + 4;
  if (start + n > end) throw new InvalidRecord('string field overruns frame');
  return [buf.toString('utf8', start, start + n), start + n];
}

function readTextOrBytes(buf: Buffer, pos: number, end: number): [TextOrBytes, number] {
  const n = buf.readUInt32BE(pos);
  const start = pos + 4;
  if (start + n > end) throw new InvalidRecord('string field overruns frame');
  return [textOrBytes(buf.subarray(start, start + n)), start + n];
}

/**
 * Decodes a frame already validated by {@link checkFrame}. The returned
 * value is a view into `buf` (no copy).
 */
export function decodeFrame(buf: Buffer, pos: number): StoredEntry {
  const bodyStart = pos + FRAME_HEADER_BYTES;
  const end = bodyStart + buf.readUInt32BE(pos);
  const flags = buf[bodyStart + 1] ?? 0;
  const offset = buf.readUInt32BE(bodyStart + 2) * TWO_32 + buf.readUInt32BE(bodyStart + 6);
  const ts = buf.readDoubleBE(bodyStart + 10);
  let p = bodyStart + 18;
  let key: TextOrBytes | undefined;
  if ((flags & FLAG_KEY) !== 0) [key, p] = readTextOrBytes(buf, p, end);
  else p += 4;
  const headerCount = buf.readUInt32BE(p);
  p += 4;
  let headers: Record<string, TextOrBytes> | undefined;
  if ((flags & FLAG_HEADERS) !== 0) {
    const pairs: [string, TextOrBytes][] = [];
    for (let i = 0; i < headerCount; i++) {
      let name: string;
      let value: TextOrBytes;
      [name, p] = readString(buf, p, end);
      [value, p] = readTextOrBytes(buf, p, end);
      pairs.push([name, value]);
    }
    // fromEntries defines own properties, so a "__proto__" header stays data.
    headers = Object.fromEntries(pairs);
  }
  const valueLength = buf.readUInt32BE(p);
  p += 4;
  if (p + valueLength !== end) throw new InvalidRecord('value length does not match frame length');
  // A plain Uint8Array view (not a Buffer) so stored and appended values compare equal.
  const rec: StoredEntry = { offset, ts, value: new Uint8Array(buf.buffer, buf.byteOffset + p, valueLength) };
  if (key !== undefined) rec.key = key;
  if (headers !== undefined) rec.headers = headers;
  return rec;
}
