/**
 * One growing buffer that Kafka requests are written into: big-endian integers, zigzag varints
 * and strings written in place, without per-call allocation. Reused from request to request; the
 * bytes written are valid until the next {@link ByteWriter.reset}.
 */
export class ByteWriter {
  buf: Buffer;
  offset = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  reset(): void {
    this.offset = 0;
  }

  /** Makes room for `n` more bytes (doubling, copying what is written). */
  ensure(n: number): void {
    const need = this.offset + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  /** The bytes written since the last reset (a view, not a copy). */
  view(start = 0, end = this.offset): Buffer {
    return this.buf.subarray(start, end);
  }

  int8(v: number): void {
    this.ensure(1);
    this.buf[this.offset++] = v & 0xff;
  }

  int16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.offset);
    this.offset += 2;
  }

  int32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.offset);
    this.offset += 4;
  }

  /** An int64 from a safe integer (timestamps, offsets). */
  int64(v: number): void {
    this.ensure(8);
    const hi = Math.floor(v / 0x100000000);
    this.buf.writeInt32BE(hi | 0, this.offset);
    this.buf.writeUInt32BE(v - hi * 0x100000000, this.offset + 4);
    this.offset += 8;
  }

  bigInt64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.offset);
    this.offset += 8;
  }

  /** Zigzag varint of a safe integer (Kafka's varint and varlong; the caller has ensured room). */
  varint(v: number): void {
    const buf = this.buf;
    let o = this.offset;
    if (v >= -0x40000000 && v < 0x40000000) {
      let z = ((v << 1) ^ (v >> 31)) >>> 0;
      while (z >= 0x80) {
        buf[o++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
      buf[o++] = z;
    } else {
      let z = v >= 0 ? v * 2 : -v * 2 - 1;
      while (z >= 0x80) {
        buf[o++] = (z % 0x80) | 0x80;
        z = Math.floor(z / 0x80);
      }
      buf[o++] = z;
    }
    this.offset = o;
  }

  /** Bytes copied in (the caller has ensured room). */
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.offset);
    this.offset += b.length;
  }

  /** A string as UTF-8 whose encoded length the caller has measured and made room for. */
  utf8(s: string, byteLength: number): void {
    this.buf.write(s, this.offset, byteLength, 'utf8');
    this.offset += byteLength;
  }

  /** A Kafka STRING (int16 length, UTF-8) or NULLABLE_STRING (`null` as length -1). */
  string(s: string | null): void {
    if (s === null) return this.int16(-1);
    const n = Buffer.byteLength(s, 'utf8');
    this.int16(n);
    this.ensure(n);
    this.utf8(s, n);
  }
}
