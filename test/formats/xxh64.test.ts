import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Xxh64, xxh64 } from '../../src/formats/xxh64.js';
import { hasZstd, zstdTool } from './zstd-frames.js';
import { missingPart } from '../real-part.js';

const zstdMissing = missingPart(hasZstd, 'the zstd tool', 'apt-get install zstd');

const M64 = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;
const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M64;
const round = (acc: bigint, lane: bigint): bigint =>
  (rotl((acc + lane * P2) & M64, 31n) * P1) & M64;

/** XXH64 (seed 0) written straight from the specification in BigInt, one shot: the oracle. */
function reference(b: Uint8Array): bigint {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = 0;
  let h = P5;
  if (b.length >= 32) {
    const v = [(P1 + P2) & M64, P2, 0n, -P1 & M64];
    for (; i + 32 <= b.length; i += 32)
      for (let k = 0; k < 4; k++) v[k] = round(v[k] as bigint, view.getBigUint64(i + 8 * k, true));
    const [v1, v2, v3, v4] = v as [bigint, bigint, bigint, bigint];
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M64;
    for (const x of v) h = ((h ^ round(0n, x)) * P1 + P4) & M64;
  }
  h = (h + BigInt(b.length)) & M64;
  for (; i + 8 <= b.length; i += 8)
    h = (rotl(h ^ round(0n, view.getBigUint64(i, true)), 27n) * P1 + P4) & M64;
  if (i + 4 <= b.length) {
    h = (rotl(h ^ ((BigInt(view.getUint32(i, true)) * P1) & M64), 23n) * P2 + P3) & M64;
    i += 4;
  }
  for (; i < b.length; i++) h = (rotl(h ^ ((BigInt(b[i] as number) * P5) & M64), 11n) * P1) & M64;
  h = ((h ^ (h >> 33n)) * P2) & M64;
  h = ((h ^ (h >> 29n)) * P3) & M64;
  return h ^ (h >> 32n);
}

/** Hashes `data` fed in pieces of the given sizes (the rest in one last piece). */
function inPieces(data: Uint8Array, sizes: readonly number[]): bigint {
  const h = new Xxh64();
  let at = 0;
  for (const size of sizes) {
    h.update(data.subarray(at, at + size));
    at = Math.min(at + size, data.length);
  }
  return h.update(data.subarray(at)).digest();
}

describe('xxh64', () => {
  it("gives the values of xxHash's own sanity check (xxhsum), whole and fed a byte at a time", () => {
    // xxhsum's BMK_sanityCheck: 101 bytes, each the top byte of a squared 32-bit generator.
    const buffer = new Uint8Array(101);
    let gen = 2654435761;
    for (let i = 0; i < buffer.length; i++) {
      buffer[i] = gen >>> 24;
      gen = Math.imul(gen, gen);
    }
    const expected: [number, bigint][] = [
      [0, 0xef46db3751d8e999n],
      [1, 0x4fce394cc88952d8n],
      [14, 0xcffa8db881bc3a3dn],
      [101, 0x0eab543384f878adn],
    ];
    for (const [length, hash] of expected) {
      const data = buffer.subarray(0, length);
      expect(xxh64(data)).toBe(hash);
      expect(inPieces(data, Array<number>(length).fill(1))).toBe(hash);
    }
  });

  it('gives the published values for short strings', () => {
    const text = (s: string): bigint => xxh64(new TextEncoder().encode(s));
    expect(text('a')).toBe(0xd24ec4f1a98c6e5bn);
    expect(text('abc')).toBe(0x44bc2cf5ad770999n);
    expect(text('Nobody inspects the spammish repetition')).toBe(0xfbcea83c8a378bf1n);
  });

  it('matches a BigInt reference of the spec on random inputs fed in random pieces', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400, size: 'max' }),
        fc.array(fc.integer({ min: 0, max: 70 }), { maxLength: 12 }),
        (data, sizes) => {
          const expected = reference(data);
          expect(xxh64(data)).toBe(expected);
          expect(inPieces(data, sizes)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it.skipIf(zstdMissing)(
    'agrees with the zstd tool: the checksum it stores is the low 32 bits of the content XXH64',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 3000, size: 'max' }), (data) => {
          const file = zstdTool(data);
          expect(file.readUInt32LE(file.length - 4)).toBe(Number(xxh64(data) & 0xffffffffn));
        }),
        { numRuns: 40 },
      );
    },
  );
});
