// The stripe loop keeps 64-bit values as int32 halves (high, low), multiplied with Math.imul
// plus the high half of the low-word product: BigInt arithmetic allocates at every step and ran
// about 6x slower. The final mix runs once per digest, so it uses BigInt, as the spec reads.
const M64 = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

function halves(v: bigint): [number, number] {
  return [Number(v >> 32n) | 0, Number(v & 0xffffffffn) | 0];
}

const [P1H, P1L] = halves(P1);
const [P2H, P2L] = halves(P2);
/** The four accumulators' starting values, as halves: P1 + P2, P2, 0 and -P1. */
const SEEDS = [(P1 + P2) & M64, P2, 0n, -P1 & M64].flatMap(halves);

/** The high 32 bits of the unsigned product a * b, from 16-bit pieces (exact in doubles). */
function mulhi(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const mid = a1 * b0 + ((a0 * b0) >>> 16);
  return a1 * b1 + (mid >>> 16) + ((a0 * b1 + (mid & 0xffff)) >>> 16);
}

/** 1 when the unsigned sum of a and b overflows 32 bits. */
function carry(a: number, b: number): number {
  return (a >>> 0) + (b >>> 0) > 0xffffffff ? 1 : 0;
}

/**
 * XXH64's round on the accumulator at s[k] (high half), s[k + 1] (low half): acc + lane * P2,
 * rotated left by 31, times P1. A product mod 2^64 of (ah:al) and (bh:bl) has the low half
 * al * bl mod 2^32 and the high half mulhi(al, bl) + ah * bl + al * bh mod 2^32.
 */
function stripeRound(s: Int32Array, k: number, laneH: number, laneL: number): void {
  const pl = Math.imul(laneL, P2L);
  const ph = mulhi(laneL, P2L) + Math.imul(laneH, P2L) + Math.imul(laneL, P2H);
  const al = s[k + 1] as number;
  const l = (al + pl) | 0;
  const h = ((s[k] as number) + ph + carry(al, pl)) | 0;
  const rh = (h << 31) | (l >>> 1);
  const rl = (l << 31) | (h >>> 1);
  s[k] = (mulhi(rl, P1L) + Math.imul(rh, P1L) + Math.imul(rl, P1H)) | 0;
  s[k + 1] = Math.imul(rl, P1L);
}

function read32(b: Uint8Array, i: number): number {
  return (
    (b[i] as number) |
    ((b[i + 1] as number) << 8) |
    ((b[i + 2] as number) << 16) |
    ((b[i + 3] as number) << 24)
  );
}

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & M64;
}

function round(acc: bigint, lane: bigint): bigint {
  return (rotl((acc + lane * P2) & M64, 31n) * P1) & M64;
}

/**
 * Incremental xxHash64 with seed 0 (the content checksum of zstd frames), fed in pieces of any
 * size.
 *
 * @example
 * const h = new Xxh64();
 * h.update(part1); h.update(part2);
 * h.digest() === xxh64(Buffer.concat([part1, part2]));
 */
export class Xxh64 {
  private readonly acc = Int32Array.from(SEEDS);
  private readonly tail = new Uint8Array(32);
  private tailLength = 0;
  private total = 0;

  update(data: Uint8Array): this {
    this.total += data.length;
    let i = 0;
    if (this.tailLength > 0) {
      const take = Math.min(32 - this.tailLength, data.length);
      this.tail.set(data.subarray(0, take), this.tailLength);
      this.tailLength += take;
      i = take;
      if (this.tailLength < 32) return this;
      this.stripe(this.tail, 0);
      this.tailLength = 0;
    }
    for (; i + 32 <= data.length; i += 32) this.stripe(data, i);
    this.tail.set(data.subarray(i), 0);
    this.tailLength = data.length - i;
    return this;
  }

  /** The hash of everything fed so far, as an unsigned 64-bit bigint. */
  digest(): bigint {
    const s = this.acc;
    const v = [0, 2, 4, 6].map(
      (k) => (BigInt((s[k] as number) >>> 0) << 32n) | BigInt((s[k + 1] as number) >>> 0),
    ) as [bigint, bigint, bigint, bigint];
    let h = P5;
    if (this.total >= 32) {
      h = (rotl(v[0], 1n) + rotl(v[1], 7n) + rotl(v[2], 12n) + rotl(v[3], 18n)) & M64;
      for (const x of v) h = ((h ^ round(0n, x)) * P1 + P4) & M64;
    }
    h = (h + BigInt(this.total)) & M64;
    const tail = new DataView(this.tail.buffer);
    let i = 0;
    for (; i + 8 <= this.tailLength; i += 8)
      h = (rotl(h ^ round(0n, tail.getBigUint64(i, true)), 27n) * P1 + P4) & M64;
    if (i + 4 <= this.tailLength) {
      h = (rotl(h ^ ((BigInt(tail.getUint32(i, true)) * P1) & M64), 23n) * P2 + P3) & M64;
      i += 4;
    }
    for (; i < this.tailLength; i++)
      h = (rotl(h ^ ((BigInt(tail.getUint8(i)) * P5) & M64), 11n) * P1) & M64;
    h = ((h ^ (h >> 33n)) * P2) & M64;
    h = ((h ^ (h >> 29n)) * P3) & M64;
    return h ^ (h >> 32n);
  }

  private stripe(b: Uint8Array, i: number): void {
    stripeRound(this.acc, 0, read32(b, i + 4), read32(b, i));
    stripeRound(this.acc, 2, read32(b, i + 12), read32(b, i + 8));
    stripeRound(this.acc, 4, read32(b, i + 20), read32(b, i + 16));
    stripeRound(this.acc, 6, read32(b, i + 28), read32(b, i + 24));
  }
}

/** xxHash64 of `data` with seed 0. */
export function xxh64(data: Uint8Array): bigint {
  return new Xxh64().update(data).digest();
}
