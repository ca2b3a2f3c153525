/*
 * Sparse offset -> file position index of one segment.
 *
 * In memory for every segment. When a segment is sealed (rolled) it is also
 * written once, atomically, to `<baseOffset>.index`:
 *
 *   'MRIX' | u8 version=1 | 3 bytes zero
 *   f64 baseOffset | f64 nextOffset | f64 sizeBytes | f64 maxTimestamp
 *   u32 entryCount | entryCount * (u32 offset - baseOffset, u32 position)
 *   u32 CRC-32 of all preceding bytes
 *
 * A sidecar whose CRC, base offset or recorded size does not match the
 * segment file is ignored and rebuilt by scanning the segment.
 */
import { crc32 } from 'node:zlib';

const MAGIC = 0x4d524958; // 'MRIX'
const VERSION = 1;
const HEADER_BYTES = 4 + 4 + 8 * 4 + 4;

/** Facts about a sealed segment stored beside its index entries. */
export interface SealedMeta {
  baseOffset: number;
  nextOffset: number;
  sizeBytes: number;
  maxTimestamp: number;
}

export class SparseIndex {
  private readonly offsets: number[] = [];
  private readonly positions: number[] = [];

  constructor(private readonly intervalBytes: number) {}

  get size(): number {
    return this.offsets.length;
  }

  /** Records that the frame of `offset` starts at `position`, if far enough from the last entry. */
  maybeAdd(offset: number, position: number): void {
    const last = this.positions[this.positions.length - 1];
    if (last === undefined || position - last >= this.intervalBytes) {
      this.offsets.push(offset);
      this.positions.push(position);
    }
  }

  /** Position of the indexed frame with the greatest offset <= `offset` (0 when none). */
  lookup(offset: number): number {
    let lo = 0;
    let hi = this.offsets.length - 1;
    let best = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.offsets[mid] ?? Infinity) <= offset) {
        best = this.positions[mid] ?? 0;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return best;
  }

  serialize(meta: SealedMeta): Buffer {
    const n = this.offsets.length;
    const buf = Buffer.alloc(HEADER_BYTES + n * 8 + 4);
    buf.writeUInt32BE(MAGIC, 0);
    buf[4] = VERSION;
    buf.writeDoubleBE(meta.baseOffset, 8);
    buf.writeDoubleBE(meta.nextOffset, 16);
    buf.writeDoubleBE(meta.sizeBytes, 24);
    buf.writeDoubleBE(meta.maxTimestamp, 32);
    buf.writeUInt32BE(n, 40);
    for (let i = 0; i < n; i++) {
      buf.writeUInt32BE((this.offsets[i] ?? 0) - meta.baseOffset, HEADER_BYTES + i * 8);
      buf.writeUInt32BE(this.positions[i] ?? 0, HEADER_BYTES + i * 8 + 4);
    }
    buf.writeUInt32BE(crc32(buf.subarray(0, buf.length - 4)), buf.length - 4);
    return buf;
  }

  /** Parses a sidecar written by {@link serialize}; undefined if it is damaged. */
  static parse(buf: Buffer, intervalBytes: number): { index: SparseIndex; meta: SealedMeta } | undefined {
    if (buf.length < HEADER_BYTES + 4 || buf.readUInt32BE(0) !== MAGIC || buf[4] !== VERSION) return undefined;
    const n = buf.readUInt32BE(40);
    if (buf.length !== HEADER_BYTES + n * 8 + 4) return undefined;
    if (crc32(buf.subarray(0, buf.length - 4)) !== buf.readUInt32BE(buf.length - 4)) return undefined;
    const meta: SealedMeta = {
      baseOffset: buf.readDoubleBE(8),
      nextOffset: buf.readDoubleBE(16),
      sizeBytes: buf.readDoubleBE(24),
      maxTimestamp: buf.readDoubleBE(32),
    };
    const index = new SparseIndex(intervalBytes);
    for (let i = 0; i < n; i++) {
      index.offsets.push(meta.baseOffset + buf.readUInt32BE(HEADER_BYTES + i * 8));
      index.positions.push(buf.readUInt32BE(HEADER_BYTES + i * 8 + 4));
    }
    return { index, meta };
  }
}
