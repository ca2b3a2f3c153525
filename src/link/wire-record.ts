import { compressBody, inflateBody, type LinkCompression } from './frame-codec.js';
import { LinkProtocolError } from './protocol-error.js';

/** One mirrored Kafka record as it crosses the link: where it came from and all it carries. */
export interface WireRecord {
  topic: string;
  partition: number;
  /** Offset in the source partition (decimal string, as Kafka clients give it). */
  offset: string;
  /** Event time, ms since the epoch. */
  ts: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: [string, Buffer][];
}

/**
 * One record in its wire encoding (what {@link encodeRecords} writes for it), with the two fields
 * queues and metrics read: the sender queues and ships these bytes as they are, and the receiver
 * queues the slices of a frame, so neither decodes and re-encodes what it only passes on.
 */
export interface EncodedRecord {
  readonly bytes: Buffer;
  readonly topic: string;
  readonly ts: number;
}

const NULL_LENGTH = -1;
const LZ4: LinkCompression = { codec: 'lz4' };
const MAX_U16 = 0xffff;

/** Bytes {@link encodeRecords} writes for `r`, so the batch is allocated once. */
function encodedSize(r: WireRecord): number {
  let n = 2 + Buffer.byteLength(r.topic) + 4 + 8 + 8 + 4 + (r.key?.length ?? 0) + 4 + (r.value?.length ?? 0) + 2;
  for (const [name, value] of r.headers) n += 2 + Buffer.byteLength(name) + 4 + value.length;
  return n;
}

/**
 * The uncompressed batch body: per record topic (u16 length + UTF-8), partition (i32), source
 * offset (i64), timestamp (f64), key and value (i32 length, -1 for null), headers (u16 count, each
 * u16 name length + name, i32 value length + value). Big-endian throughout.
 */
export function encodeRecords(records: readonly WireRecord[]): Buffer {
  let size = 0;
  for (const r of records) size += encodedSize(r);
  const buf = Buffer.allocUnsafe(size);
  let p = 0;
  const str16 = (s: string, what: string): void => {
    const n = buf.write(s, p + 2, 'utf8');
    if (n > MAX_U16) throw new RangeError(`link: ${what} longer than ${MAX_U16} bytes`);
    buf.writeUInt16BE(n, p);
    p += 2 + n;
  };
  const bytes = (b: Buffer | null): void => {
    buf.writeInt32BE(b === null ? NULL_LENGTH : b.length, p);
    p += 4;
    if (b !== null) p += b.copy(buf, p);
  };
  for (const r of records) {
    str16(r.topic, 'topic name');
    buf.writeInt32BE(r.partition, p);
    buf.writeBigInt64BE(BigInt(r.offset), p + 4);
    buf.writeDoubleBE(r.ts, p + 12);
    p += 20;
    bytes(r.key);
    bytes(r.value);
    if (r.headers.length > MAX_U16) throw new RangeError(`link: more than ${MAX_U16} headers on one record`);
    buf.writeUInt16BE(r.headers.length, p);
    p += 2;
    for (const [name, value] of r.headers) {
      str16(name, 'header name');
      bytes(value);
    }
  }
  return buf;
}

/** `r` in its wire encoding. */
export function encodeRecord(r: WireRecord): EncodedRecord {
  return { bytes: encodeRecords([r]), topic: r.topic, ts: r.ts };
}

/**
 * The `count` records of a body written by {@link encodeRecords}, as views of `buf` (no copies),
 * checked as {@link decodeRecords} checks them: anything short, long or malformed throws.
 */
export function splitRecords(buf: Buffer, count: number): EncodedRecord[] {
  let p = 0;
  const need = (n: number): void => {
    if (p + n > buf.length) throw new LinkProtocolError(`record batch cut short at byte ${p} (needs ${n} more)`);
  };
  const skip16 = (): void => {
    need(2);
    p += 2 + buf.readUInt16BE(p);
    need(0);
  };
  const skipBytes = (): void => {
    need(4);
    const n = buf.readInt32BE(p);
    p += 4;
    if (n === NULL_LENGTH) return;
    if (n < 0) throw new LinkProtocolError(`record batch has a negative length ${n} at byte ${p - 4}`);
    need(n);
    p += n;
  };
  const out: EncodedRecord[] = [];
  for (let i = 0; i < count; i++) {
    const start = p;
    need(2);
    const topicLength = buf.readUInt16BE(p);
    need(2 + topicLength + 20);
    const topic = buf.toString('utf8', p + 2, p + 2 + topicLength);
    const ts = buf.readDoubleBE(p + 2 + topicLength + 12);
    p += 2 + topicLength + 20;
    skipBytes();
    skipBytes();
    need(2);
    const headerCount = buf.readUInt16BE(p);
    p += 2;
    for (let h = 0; h < headerCount; h++) {
      skip16();
      skipBytes();
    }
    out.push({ bytes: buf.subarray(start, p), topic, ts });
  }
  if (p !== buf.length) throw new LinkProtocolError(`record batch has ${buf.length - p} bytes after its ${count} records`);
  return out;
}

/** Reads `count` records written by {@link encodeRecords}; anything short, long or malformed throws. */
export function decodeRecords(buf: Buffer, count: number): WireRecord[] {
  let p = 0;
  const need = (n: number): void => {
    if (p + n > buf.length) throw new LinkProtocolError(`record batch cut short at byte ${p} (needs ${n} more)`);
  };
  const str16 = (): string => {
    need(2);
    const n = buf.readUInt16BE(p);
    need(2 + n);
    const s = buf.toString('utf8', p + 2, p + 2 + n);
    p += 2 + n;
    return s;
  };
  const bytes = (): Buffer | null => {
    need(4);
    const n = buf.readInt32BE(p);
    p += 4;
    if (n === NULL_LENGTH) return null;
    if (n < 0) throw new LinkProtocolError(`record batch has a negative length ${n} at byte ${p - 4}`);
    need(n);
    const b = Buffer.from(buf.subarray(p, p + n));
    p += n;
    return b;
  };
  const out: WireRecord[] = [];
  for (let i = 0; i < count; i++) {
    const topic = str16();
    need(20);
    const partition = buf.readInt32BE(p);
    const offset = buf.readBigInt64BE(p + 4).toString();
    const ts = buf.readDoubleBE(p + 12);
    p += 20;
    const key = bytes();
    const value = bytes();
    need(2);
    const headerCount = buf.readUInt16BE(p);
    p += 2;
    const headers: [string, Buffer][] = [];
    for (let h = 0; h < headerCount; h++) headers.push([str16(), bytes() ?? Buffer.alloc(0)]);
    out.push({ topic, partition, offset, ts, key, value, headers });
  }
  if (p !== buf.length) throw new LinkProtocolError(`record batch has ${buf.length - p} bytes after its ${count} records`);
  return out;
}

/** A data frame's batch: its codec, compressed body and the size before compression. */
export interface CompressedBatch {
  codec: number;
  payload: Buffer;
  rawLength: number;
}

/** A batch encoded and compressed. */
export async function compressRecords(records: readonly WireRecord[], compression: LinkCompression = LZ4): Promise<CompressedBatch> {
  const raw = encodeRecords(records);
  return { ...(await compressBody(raw, compression)), rawLength: raw.length };
}

/** Encoded records joined into a batch body and compressed. */
export async function compressEncoded(records: readonly EncodedRecord[], compression: LinkCompression): Promise<CompressedBatch> {
  const raw = Buffer.concat(records.map((r) => r.bytes));
  return { ...(await compressBody(raw, compression)), rawLength: raw.length };
}

/** Decompresses a batch of `count` records into its records, as {@link inflateBody} does. */
export function decompressRecords(batch: CompressedBatch, count: number): WireRecord[] {
  return decodeRecords(inflateBody(batch.codec, batch.payload, batch.rawLength), count);
}

/** Decompresses a batch of `count` records into views of their encodings, as {@link inflateBody} does. */
export function decompressEncoded(batch: CompressedBatch, count: number): EncodedRecord[] {
  return splitRecords(inflateBody(batch.codec, batch.payload, batch.rawLength), count);
}
