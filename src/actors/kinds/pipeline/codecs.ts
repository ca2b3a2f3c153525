import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { lz4Blocks } from './lz4-frame.js';

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

function* unzstd(input: Uint8Array): Generator<Uint8Array> {
  let out: Uint8Array[] = [];
  const stream = new ZstdDecompress((data) => {
    if (data.length > 0) out.push(data);
  });
  let at = 0;
  do {
    const end = Math.min(at + SLICE, input.length);
    let failure: unknown;
    try {
      stream.push(input.subarray(at, end), end === input.length);
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
  } while (at < input.length);
}

/**
 * Decodes `input` with `codec`, yielding the decompressed bytes in pieces (no piece boundary is
 * meaningful; gzip pieces stay within `maxPiece`, LZ4 and zstd pieces are their blocks). Throws
 * the codec's error when the input is damaged or cut short, after yielding every piece decoded
 * before the damage. zstd content checksums are not verified (fzstd skips them): damage is found
 * when it breaks the block structure.
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
