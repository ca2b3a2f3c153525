/** A cursor over one buffer: Kafka's big-endian integers and zigzag varints. */
export class ByteReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}

  int8(): number {
    return this.buf.readInt8(this.pos++);
  }

  int16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A zigzag varint (varlong too) as a number; past 2^53 as a bigint. */
  varint(): number | bigint {
    const buf = this.buf;
    let raw = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = buf[this.pos++];
      if (b === undefined) throw new RangeError('varint runs past the end of the buffer');
      raw += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (raw <= Number.MAX_SAFE_INTEGER) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
        return this.bigVarint(i + 1);
      }
      scale *= 128;
    }
    throw new RangeError('varint longer than 10 bytes');
  }

  /** The varint of `length` bytes just read, again in BigInt arithmetic. */
  private bigVarint(length: number): bigint {
    let raw = 0n;
    for (let i = length - 1; i >= 0; i--) raw = (raw << 7n) | BigInt(this.buf[this.pos - length + i]! & 0x7f);
    return raw & 1n ? -((raw + 1n) >> 1n) : raw >> 1n;
  }

  /** A varint that must fit an int32: lengths, counts, offset deltas. */
  int(): number {
    const v = this.varint();
    if (typeof v !== 'number') throw new RangeError(`varint ${v} is not a 32-bit length`);
    return v;
  }

  /** Varint-length bytes; null for length -1. A view into the buffer, as kafkajs' slice. */
  bytes(): Buffer | null {
    const length = this.int();
    if (length === -1) return null;
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string16(): string {
    const length = this.int16();
    const out = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}
