import { uncompressSync } from 'lz4-napi';
import { u32 } from './bytes.js';
import { Xxh32 } from './xxh32.js';

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** Linked blocks may refer back this far into earlier output. */
const WINDOW = 64 * 1024;
const BLOCK_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

/** What went wrong in an LZ4 frame, with the compressed byte offset where it was found. */
export class Lz4FrameError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (compressed byte ${offset})`);
    this.name = 'Lz4FrameError';
  }
}

interface Descriptor {
  independent: boolean;
  blockChecksum: boolean;
  contentSize: number | undefined;
  contentChecksum: boolean;
  blockMax: number;
  /** Offset of the first block. */
  end: number;
}

function descriptor(b: Uint8Array, at: number): Descriptor {
  const need = (n: number): void => {
    if (at + n > b.length)
      throw new Lz4FrameError('lz4: frame header cut short (truncated input)', b.length);
  };
  need(7);
  const flg = b[at + 4] as number;
  const bd = b[at + 5] as number;
  if (flg >> 6 !== 1) throw new Lz4FrameError(`lz4: unsupported frame version ${flg >> 6}`, at + 4);
  if (flg & 1)
    throw new Lz4FrameError('lz4: frames with a dictionary id are not supported', at + 4);
  const blockMax = BLOCK_MAX[(bd >> 4) & 7] ?? 0;
  if (blockMax === 0)
    throw new Lz4FrameError(`lz4: invalid block maximum size code ${(bd >> 4) & 7}`, at + 5);
  const hasSize = (flg & 8) !== 0;
  const headerEnd = at + 6 + (hasSize ? 8 : 0);
  need(headerEnd + 1 - at);
  const hc = (new Xxh32(0).update(b.subarray(at + 4, headerEnd)).digest() >>> 8) & 0xff;
  if (hc !== b[headerEnd])
    throw new Lz4FrameError('lz4: frame header checksum mismatch', headerEnd);
  return {
    independent: (flg & 0x20) !== 0,
    blockChecksum: (flg & 0x10) !== 0,
    contentSize: hasSize ? u32(b, at + 6) + u32(b, at + 10) * 2 ** 32 : undefined,
    contentChecksum: (flg & 4) !== 0,
    blockMax,
    end: headerEnd + 1,
  };
}

/**
 * Decodes LZ4 frames (the `.lz4` file format, possibly several frames and skippable frames in a
 * row) one block at a time, so memory stays at one block plus the 64 KiB window of linked blocks,
 * whatever the file's size. Block and content checksums are verified when the frame has them.
 * lz4-napi only decodes whole frames, so the frame layout is parsed here and each block goes
 * through its raw-block decoder.
 *
 * @example
 * for (const block of lz4Blocks(fileBytes)) out.write(block); // throws Lz4FrameError on damage
 */
export function* lz4Blocks(input: Uint8Array): Generator<Uint8Array> {
  let at = 0;
  while (at < input.length) {
    if (at + 4 > input.length)
      throw new Lz4FrameError('lz4: trailing bytes after the last frame', at);
    const magic = u32(input, at);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (at + 8 > input.length)
        throw new Lz4FrameError('lz4: skippable frame cut short (truncated input)', input.length);
      at += 8 + u32(input, at + 4);
      continue;
    }
    if (magic !== FRAME_MAGIC)
      throw new Lz4FrameError(`lz4: bad frame magic 0x${magic.toString(16)}`, at);
    at = yield* frame(input, at);
  }
}

function* frame(input: Uint8Array, start: number): Generator<Uint8Array, number> {
  const d = descriptor(input, start);
  const content = d.contentChecksum ? new Xxh32(0) : undefined;
  let window: Uint8Array = new Uint8Array(0);
  let produced = 0;
  let at = d.end;
  for (;;) {
    if (at + 4 > input.length)
      throw new Lz4FrameError('lz4: unexpected end of input (truncated)', input.length);
    const word = u32(input, at);
    at += 4;
    if (word === 0) break;
    const stored = (word & 0x80000000) !== 0;
    const size = word & 0x7fffffff;
    if (size > d.blockMax)
      throw new Lz4FrameError(
        `lz4: block of ${size} bytes exceeds the frame's ${d.blockMax}`,
        at - 4,
      );
    const checkEnd = at + size + (d.blockChecksum ? 4 : 0);
    if (checkEnd > input.length)
      throw new Lz4FrameError('lz4: unexpected end of input (truncated)', input.length);
    const data = input.subarray(at, at + size);
    if (d.blockChecksum && new Xxh32(0).update(data).digest() !== u32(input, at + size)) {
      throw new Lz4FrameError('lz4: block checksum mismatch', at);
    }
    const block = stored
      ? data
      : decodeBlock(data, d.blockMax, d.independent ? undefined : window, at);
    at = checkEnd;
    content?.update(block);
    produced += block.length;
    if (!d.independent) window = lastBytes(window, block);
    yield block;
  }
  if (d.contentSize !== undefined && d.contentSize !== produced) {
    throw new Lz4FrameError(`lz4: frame declares ${d.contentSize} bytes but holds ${produced}`, at);
  }
  if (content !== undefined) {
    if (at + 4 > input.length)
      throw new Lz4FrameError('lz4: content checksum missing (truncated input)', input.length);
    if (content.digest() !== u32(input, at))
      throw new Lz4FrameError('lz4: content checksum mismatch', at);
    at += 4;
  }
  return at;
}

function decodeBlock(
  data: Uint8Array,
  blockMax: number,
  dict: Uint8Array | undefined,
  at: number,
): Uint8Array {
  // lz4-napi's raw decoder wants the size prepended; the block maximum is an upper bound it accepts.
  const sized = Buffer.allocUnsafe(4 + data.length);
  sized.writeUInt32LE(blockMax, 0);
  sized.set(data, 4);
  try {
    return dict === undefined || dict.length === 0
      ? uncompressSync(sized)
      : uncompressSync(sized, Buffer.from(dict.buffer, dict.byteOffset, dict.byteLength));
  } catch (error) {
    throw new Lz4FrameError(
      `lz4: corrupt block: ${error instanceof Error ? error.message : String(error)}`,
      at,
    );
  }
}

function lastBytes(window: Uint8Array, block: Uint8Array): Uint8Array {
  if (block.length >= WINDOW) return block.slice(block.length - WINDOW);
  const keep = Math.min(window.length, WINDOW - block.length);
  const next = new Uint8Array(keep + block.length);
  next.set(window.subarray(window.length - keep), 0);
  next.set(block, keep);
  return next;
}
