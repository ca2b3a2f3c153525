import type { OutgoingMessage } from '../message-log.js';
import { ByteWriter } from './byte-writer.js';
import { crc32c } from './crc32c.js';
import { byteLengthOf, type TextOrBytes } from '../../core/text-or-bytes.js';

/** Record batch attribute bits 0-2: the compression codec. */
export const CODEC = { none: 0, gzip: 1, lz4: 3 } as const;

/** Producer fields of a batch header (idempotence). */
export interface BatchProducer {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

/** Compresses the records section of a batch (Kafka's codec framing, e.g. LZ4 frames). */
export type Compress = (records: Buffer) => Promise<Buffer>;

function varintBytes(v: number): number {
  if (v >= -0x40000000 && v < 0x40000000) {
    const z = ((v << 1) ^ (v >> 31)) >>> 0;
    return z < 0x80 ? 1 : z < 0x4000 ? 2 : z < 0x200000 ? 3 : z < 0x10000000 ? 4 : 5;
  }
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 0x80);
    n++;
  }
  return n;
}

/** Header bytes of `headers` as written in a record (count not included), and their count. */
function headersBytes(headers: Record<string, TextOrBytes>): { bytes: number; count: number } {
  let bytes = 0;
  let count = 0;
  for (const name in headers) {
    const kl = Buffer.byteLength(name, 'utf8');
    const vl = byteLengthOf(headers[name]!);
    bytes += varintBytes(kl) + kl + varintBytes(vl) + vl;
    count++;
  }
  return { bytes, count };
}

function writeTextOrBytes(w: ByteWriter, v: TextOrBytes, byteLength: number): void {
  if (typeof v === 'string') w.utf8(v, byteLength);
  else w.bytes(v);
}

/**
 * Writes the records `order[from, to)` of `messages` in the v2 record format
 * (length, attributes, timestamp delta, offset delta, key, value, headers), straight into `w`.
 */
function writeRecords(w: ByteWriter, messages: readonly OutgoingMessage[], order: Int32Array, from: number, to: number, firstTimestamp: number, now: number): void {
  for (let i = from; i < to; i++) {
    const m = messages[order[i]!]!;
    const tsDelta = (m.timestamp ?? now) - firstTimestamp;
    const offsetDelta = i - from;
    const key = m.key;
    const kl = key === undefined ? -1 : byteLengthOf(key);
    const vl = m.value.length;
    const h = m.headers === undefined ? undefined : headersBytes(m.headers);
    const body =
      1 + varintBytes(tsDelta) + varintBytes(offsetDelta) + varintBytes(kl) + (kl > 0 ? kl : 0) + varintBytes(vl) + vl + (h === undefined ? 1 : varintBytes(h.count) + h.bytes);
    w.ensure(5 + body);
    w.varint(body);
    w.buf[w.offset++] = 0;
    w.varint(tsDelta);
    w.varint(offsetDelta);
    w.varint(kl);
    if (kl > 0) writeTextOrBytes(w, key as TextOrBytes, kl);
    w.varint(vl);
    w.bytes(m.value);
    if (h === undefined) {
      w.buf[w.offset++] = 0;
      continue;
    }
    w.varint(h.count);
    const headers = m.headers as Record<string, TextOrBytes>;
    for (const name in headers) {
      const value = headers[name]!;
      const nl = Buffer.byteLength(name, 'utf8');
      const hl = byteLengthOf(value);
      w.varint(nl);
      w.utf8(name, nl);
      w.varint(hl);
      writeTextOrBytes(w, value, hl);
    }
  }
}

/**
 * Appends one record batch (magic 2) holding `order[from, to)` of `messages` to `w`: base offset,
 * length, leader epoch, magic, CRC-32C, then the header fields and the records. With `compress`,
 * the records are written to `scratch` and their compressed form goes into the batch.
 * Messages without a timestamp get `now`.
 *
 * @example
 * writeRecordBatch(w, scratch, messages, order, 0, messages.length, { producerId: -1n, producerEpoch: 0, baseSequence: 0 }, CODEC.none);
 */
export async function writeRecordBatch(
  w: ByteWriter,
  scratch: ByteWriter,
  messages: readonly OutgoingMessage[],
  order: Int32Array,
  from: number,
  to: number,
  producer: BatchProducer,
  codec: number,
  compress?: Compress,
  now = Date.now(),
): Promise<void> {
  let first = Infinity;
  let max = -Infinity;
  for (let i = from; i < to; i++) {
    const ts = messages[order[i]!]!.timestamp ?? now;
    if (ts < first) first = ts;
    if (ts > max) max = ts;
  }
  let compressed: Buffer | undefined;
  if (compress !== undefined) {
    scratch.reset();
    writeRecords(scratch, messages, order, from, to, first, now);
    compressed = await compress(scratch.view());
  }
  const start = w.offset;
  w.int64(0);
  w.int32(0); // batch length, set below
  w.int32(-1); // partition leader epoch: the broker sets it
  w.int8(2);
  const crcAt = w.offset;
  w.int32(0);
  w.int16(codec);
  w.int32(to - from - 1);
  w.int64(first);
  w.int64(max);
  w.bigInt64(producer.producerId);
  w.int16(producer.producerEpoch);
  w.int32(producer.baseSequence);
  w.int32(to - from);
  if (compressed === undefined) writeRecords(w, messages, order, from, to, first, now);
  else {
    w.ensure(compressed.length);
    w.bytes(compressed);
  }
  w.buf.writeInt32BE(w.offset - start - 12, start + 8);
  w.buf.writeUInt32BE(crc32c(w.buf, crcAt + 4, w.offset), crcAt);
}
