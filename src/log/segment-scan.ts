import type { FileHandle } from 'node:fs/promises';
import { checkFrame, FRAME_HEADER_BYTES, MIN_BODY_BYTES } from './record-codec.js';
import { SparseIndex } from './sparse-index.js';

const SCAN_CHUNK_BYTES = 8 * 1024 * 1024;

/** Sliding read window over a file, so scans do not load whole segments. */
class ChunkReader {
  private buf = Buffer.alloc(0);
  private start = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly fileSize: number,
  ) {}

  /** Returns a buffer holding `[pos, min(pos + need, fileSize))` at `buf[at]`; data ends at `end`. */
  async window(pos: number, need: number): Promise<{ buf: Buffer; at: number; end: number }> {
    const want = Math.min(pos + need, this.fileSize);
    if (pos < this.start || want > this.start + this.buf.length) {
      const len = Math.min(Math.max(need, SCAN_CHUNK_BYTES), this.fileSize - pos);
      const buf = Buffer.allocUnsafe(len);
      let done = 0;
      while (done < len) {
        const { bytesRead } = await this.fh.read(buf, done, len - done, pos + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      this.buf = buf.subarray(0, done);
      this.start = pos;
    }
    return { buf: this.buf, at: pos - this.start, end: this.buf.length };
  }
}

/** Outcome of scanning one segment file. */
export interface ScanResult {
  /** Bytes from the start of the file that hold intact, contiguous frames. */
  validBytes: number;
  nextOffset: number;
  maxTimestamp: number;
  index: SparseIndex;
  /** Bytes after `validBytes` (torn or corrupt tail). */
  truncatedBytes: number;
  /** Frames, complete or partial, in the discarded tail (see {@link countFrames}). */
  droppedFrames: number;
}

/**
 * Reads a segment from the start, keeping the longest prefix of frames that
 * are complete, pass their CRC and carry the expected consecutive offsets.
 */
export async function scanSegment(
  fh: FileHandle,
  fileSize: number,
  baseOffset: number,
  maxRecordBytes: number,
  indexIntervalBytes: number,
): Promise<ScanResult> {
  const reader = new ChunkReader(fh, fileSize);
  const index = new SparseIndex(indexIntervalBytes);
  let pos = 0;
  let offset = baseOffset;
  let maxTimestamp = -Infinity;
  while (pos < fileSize) {
    let w = await reader.window(pos, FRAME_HEADER_BYTES);
    let c = checkFrame(w.buf, w.at, w.end, maxRecordBytes);
    if (c.status === 'incomplete' && c.frameBytes !== undefined && pos + c.frameBytes <= fileSize) {
      w = await reader.window(pos, c.frameBytes);
      c = checkFrame(w.buf, w.at, w.end, maxRecordBytes);
    }
    if (c.status !== 'ok' || c.offset !== offset) break;
    index.maybeAdd(offset, pos);
    if (c.ts > maxTimestamp) maxTimestamp = c.ts;
    offset++;
    pos += c.frameBytes;
  }
  const truncatedBytes = fileSize - pos;
  const droppedFrames = truncatedBytes > 0 ? await walkFrames(reader, pos, fileSize, maxRecordBytes) : 0;
  return { validBytes: pos, nextOffset: offset, maxTimestamp, index, truncatedBytes, droppedFrames };
}

/**
 * Counts the frames in `[from, fileSize)` by following length prefixes
 * without checking CRCs. A partial frame counts as one; bytes whose length
 * prefix is implausible count as one frame of garbage and end the walk.
 */
export async function countFrames(
  fh: FileHandle,
  from: number,
  fileSize: number,
  maxRecordBytes: number,
): Promise<number> {
  return walkFrames(new ChunkReader(fh, fileSize), from, fileSize, maxRecordBytes);
}

async function walkFrames(reader: ChunkReader, from: number, fileSize: number, maxRecordBytes: number): Promise<number> {
  let n = 0;
  let pos = from;
  while (pos < fileSize) {
    n++;
    const w = await reader.window(pos, FRAME_HEADER_BYTES);
    if (w.end - w.at < FRAME_HEADER_BYTES) break;
    const bodyLength = w.buf.readUInt32BE(w.at);
    if (bodyLength < MIN_BODY_BYTES || bodyLength + FRAME_HEADER_BYTES > maxRecordBytes) break;
    pos += FRAME_HEADER_BYTES + bodyLength;
  }
  return n;
}
