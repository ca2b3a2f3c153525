const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, P2)) | 0, 13), P1);
}

function read32(b: Uint8Array, i: number): number {
  return (
    (b[i] as number) |
    ((b[i + 1] as number) << 8) |
    ((b[i + 2] as number) << 16) |
    ((b[i + 3] as number) << 24) |
    0
  );
}

/**
 * Incremental xxHash32 (the checksum of LZ4 frames), fed in pieces of any size.
 *
 * @example
 * const h = new Xxh32(0);
 * h.update(part1); h.update(part2);
 * h.digest() === xxh32(Buffer.concat([part1, part2]));
 */
export class Xxh32 {
  private v1: number;
  private v2: number;
  private v3: number;
  private v4: number;
  private readonly tail = new Uint8Array(16);
  private tailLength = 0;
  private total = 0;

  constructor(private readonly seed = 0) {
    this.v1 = (seed + P1 + P2) | 0;
    this.v2 = (seed + P2) | 0;
    this.v3 = seed | 0;
    this.v4 = (seed - P1) | 0;
  }

  update(data: Uint8Array): this {
    this.total += data.length;
    let i = 0;
    if (this.tailLength > 0) {
      const take = Math.min(16 - this.tailLength, data.length);
      this.tail.set(data.subarray(0, take), this.tailLength);
      this.tailLength += take;
      i = take;
      if (this.tailLength < 16) return this;
      this.stripe(this.tail, 0);
      this.tailLength = 0;
    }
    for (; i + 16 <= data.length; i += 16) this.stripe(data, i);
    this.tail.set(data.subarray(i), 0);
    this.tailLength = data.length - i;
    return this;
  }

  /** The hash of everything fed so far, as an unsigned 32-bit number. */
  digest(): number {
    let h =
      this.total >= 16
        ? (rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)) | 0
        : (this.seed + P5) | 0;
    h = (h + this.total) | 0;
    let i = 0;
    for (; i + 4 <= this.tailLength; i += 4)
      h = Math.imul(rotl((h + Math.imul(read32(this.tail, i), P3)) | 0, 17), P4);
    for (; i < this.tailLength; i++)
      h = Math.imul(rotl((h + Math.imul(this.tail[i] as number, P5)) | 0, 11), P1);
    h = Math.imul(h ^ (h >>> 15), P2);
    h = Math.imul(h ^ (h >>> 13), P3);
    return (h ^ (h >>> 16)) >>> 0;
  }

  private stripe(b: Uint8Array, i: number): void {
    this.v1 = round(this.v1, read32(b, i));
    this.v2 = round(this.v2, read32(b, i + 4));
    this.v3 = round(this.v3, read32(b, i + 8));
    this.v4 = round(this.v4, read32(b, i + 12));
  }
}

/** xxHash32 of `data` with `seed` 0. */
export function xxh32(data: Uint8Array): number {
  return new Xxh32(0).update(data).digest();
}
