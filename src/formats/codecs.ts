import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { lz4Blocks } from './lz4-frame.js';
import { u32 } from './bytes.js';
import { Xxh64 } from './xxh64.js';

/** Compression formats the `decompress` stage reads. */
export const codecs = ['gzip', 'lz4', 'zstd', 'none'] as const;
export type Codec = (typeof codecs)[number];

/** Compressed input is fed to the streaming decoders in slices of this size. */
const SLICE = 64 * 1024;

/**
 * The codec a file's first bytes announce: gzip `1f 8b`, LZ4 frame `04 22 4d 18`, zstd
 * `28 b5 2f fd`; anything else is taken as uncompressed.
 *
 * @example
 * detectCodec(gzipSync('x')); // 'gzip'
 */
export function detectCodec(bytes: Uint8Array): Codec {
  const [a, b, c, d] = bytes;
  if (a === 0x1f && b === 0x8b) return 'gzip';
  if (a === 0x04 && b === 0x22 && c === 0x4d && d === 0x18) return 'lz4';
  if (a === 0x28 && b === 0xb5 && c === 0x2f && d === 0xfd) return 'zstd';
  return 'none';
}

function* slices(input: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < input.length; at += SLICE) yield input.subarray(at, at + SLICE);
}

async function* gunzip(input: Uint8Array, maxPiece: number): AsyncGenerator<Uint8Array> {
  // A small file is inflated in one call (far cheaper than a stream) when its output fits in
  // maxPiece; if it does not fit or the file is damaged, the stream below does the work and
  // delivers what decodes before the damage.
  if (input.length <= maxPiece / 4) {
    let whole: Buffer | undefined;
    try {
      whole = gunzipSync(input, { maxOutputLength: maxPiece });
    } catch {
      whole = undefined;
    }
    if (whole !== undefined) {
      yield whole;
      return;
    }
  }
  // Node's gunzip reads concatenated members (multi-member files) as one stream.
  const source = Readable.from(slices(input), { objectMode: false });
  const gz = createGunzip({ chunkSize: SLICE });
  source.pipe(gz);
  try {
    for await (const piece of gz) yield piece as Buffer;
  } finally {
    source.destroy();
    gz.destroy();
  }
}

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** Dictionary id sizes by the frame descriptor's low two bits. */
const DICTIONARY_ID_BYTES = [0, 1, 2, 4];

/**
 * Where the zstd or skippable frame starting at `at` ends, and the content checksum it stores,
 * read from the frame header and block headers without decoding (RFC 8878 §3.1). Where the end
 * cannot be found (bad magic, reserved block type, input cut short), the frame is taken to run
 * to the end of the input and the decoder reports the damage.
 */
function zstdFrame(b: Uint8Array, at: number): { end: number; checksum?: number } {
  const rest = { end: b.length };
  if (at + 8 > b.length) return rest;
  const magic = u32(b, at);
  if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) return { end: at + 8 + u32(b, at + 4) };
  if (magic !== ZSTD_MAGIC) return rest;
  const descriptor = b[at + 4] as number;
  const singleSegment = (descriptor >> 5) & 1;
  const sizeCode = descriptor >> 6;
  // Magic, descriptor, window descriptor unless single-segment, dictionary id, content size.
  let p =
    at +
    5 +
    (1 - singleSegment) +
    (DICTIONARY_ID_BYTES[descriptor & 3] as number) +
    (sizeCode > 0 ? 1 << sizeCode : singleSegment);
  for (let last = false; !last;) {
    if (p + 3 > b.length) return rest;
    const header = (b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16);
    const type = (header >> 1) & 3;
    if (type === 3) return rest;
    // An RLE block (type 1) stores one byte, raw and compressed blocks their size in bytes.
    p += 3 + (type === 1 ? 1 : header >>> 3);
    last = (header & 1) === 1;
  }
  if ((descriptor & 4) === 0) return { end: p };
  return p + 4 <= b.length ? { end: p + 4, checksum: u32(b, p) } : rest;
}

function* unzstdFrame(frame: Uint8Array): Generator<Uint8Array> {
  let out: Uint8Array[] = [];
  const stream = new ZstdDecompress((data) => {
    if (data.length > 0) out.push(data);
  });
  let at = 0;
  do {
    const end = Math.min(at + SLICE, frame.length);
    let failure: unknown;
    try {
      stream.push(frame.subarray(at, end), end === frame.length);
    } catch (error) {
      failure = error;
    }
    at = end;
    // Decoded blocks are handed on before more input is pushed, so memory stays at a few blocks;
    // blocks decoded before a failure still go out first.
    const ready = out;
    out = [];
    yield* ready;
    if (failure !== undefined) throw failure;
  } while (at < frame.length);
}

/**
 * Decodes zstd frames one at a time, each through its own fzstd decoder (fzstd would run on
 * across frames, but it skips their checksums without exposing them), and checks each frame's
 * content checksum when it stores one.
 */
function* unzstd(input: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < input.length;) {
    const { end, checksum } = zstdFrame(input, at);
    const pieces = unzstdFrame(input.subarray(at, end));
    yield* checksum === undefined ? pieces : checked(pieces, checksum, at);
    at = end;
  }
}

/** Yields a frame's pieces, then throws unless the low 32 bits of their XXH64 are `stored`. */
function* checked(pieces: Iterable<Uint8Array>, stored: number, at: number): Generator<Uint8Array> {
  const hash = new Xxh64();
  for (const piece of pieces) {
    hash.update(piece);
    yield piece;
  }
  const computed = Number(hash.digest() & 0xffffffffn);
  if (computed !== stored)
    throw new Error(
      `zstd content checksum mismatch: stored 0x${hex(stored)}, computed 0x${hex(computed)} (frame at compressed byte ${at})`,
    );
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * Decodes `input` with `codec`, yielding the decompressed bytes in pieces (no piece boundary is
 * meaningful; gzip pieces stay within `maxPiece`, LZ4 and zstd pieces are their blocks). Throws
 * the codec's error when the input is damaged or cut short, after yielding every piece decoded
 * before the damage. A zstd frame's content checksum, when it has one (the zstd tool writes one
 * unless told `--no-check`), is verified at the frame's end; damage to a frame without one is
 * found only when it breaks the block structure. Skippable frames are skipped unchecked.
 *
 * @example
 * for await (const piece of decodeStream('gzip', fileBytes, 1 << 20)) total += piece.length;
 */
export function decodeStream(
  codec: Codec,
  input: Uint8Array,
  maxPiece: number,
): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  switch (codec) {
    case 'gzip':
      return gunzip(input, maxPiece);
    case 'lz4':
      return lz4Blocks(input);
    case 'zstd':
      return unzstd(input);
    case 'none':
      return slices(input);
  }
}
