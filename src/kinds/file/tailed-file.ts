import type { FileHandle } from 'node:fs/promises';
import { LineSplitter, type SplitLine } from '../../streams/line-splitter.js';
import { EMPTY_FINGERPRINT, HEAD_BYTES, MARK_BYTES, fingerprintOf, headOf, readAt, type Fingerprint } from './fingerprint.js';
import type { FileEntry } from './positions.js';

/** One line read from a tailed file, already decoded (the read buffer is reused). */
export interface TailLine {
  text: string;
  truncated: boolean;
  /** Offset just past the line in its file: the line's position in the file's stream. */
  end: number;
}

/** What a file being followed carries over to its copy when it is truncated (see {@link TailedFile.handOver}). */
export interface ReadState {
  splitter: LineSplitter;
  lastEnd: number;
  head: Fingerprint;
  mark: Fingerprint;
  recent: Buffer;
}

/** The bytes `[end - n, end)` (fewer at the file start) from a chunk and the bytes before it. */
function bytesBefore(end: number, chunkStart: number, chunk: Buffer, recent: Buffer, n: number): Buffer {
  const from = Math.max(end - n, chunkStart - recent.length);
  if (from >= chunkStart) return chunk.subarray(from - chunkStart, end - chunkStart);
  return Buffer.concat([recent.subarray(recent.length - (chunkStart - from)), chunk.subarray(0, end - chunkStart)]);
}

/**
 * One file followed by the tail mode, through an open handle that it keeps after the file is
 * renamed or deleted, so a rotated file can be read to its end. It reads lines from where its
 * splitter stands, holds a partial last line, and keeps the fingerprints that let it notice a
 * truncation (the bytes just before its read position changed) and find a truncated file's copy.
 */
export class TailedFile {
  /** Offset just past the last line handed out. */
  lastEnd: number;
  /** The file is no longer at its path (renamed or deleted): read it to its end, then finish it. */
  draining = false;
  /** The last read found no new bytes. */
  atEof = false;
  /** When a file at its end is next checked for growth. */
  nextPoll = 0;
  /** When the file last gave new bytes (or was opened). */
  lastGrowth: number;
  /** When the partial line now held began, if one is held. */
  partialSince: number | undefined;
  private splitter: LineSplitter;
  private head: Fingerprint;
  private mark: Fingerprint;
  private recent: Buffer;

  private constructor(
    readonly key: string,
    public path: string,
    private readonly handle: FileHandle,
    state: ReadState,
    now: number,
  ) {
    this.splitter = state.splitter;
    this.lastEnd = state.lastEnd;
    this.head = state.head;
    this.mark = state.mark;
    this.recent = state.recent;
    this.lastGrowth = now;
  }

  /** Follows an open file from `offset` (a line start), e.g. a committed position. */
  static async at(handle: FileHandle, key: string, path: string, offset: number, maxLineBytes: number, now: number): Promise<TailedFile> {
    const recent = Buffer.from(await readAt(handle, Math.max(0, offset - MARK_BYTES), Math.min(offset, MARK_BYTES)));
    const state: ReadState = { splitter: new LineSplitter(maxLineBytes, offset), lastEnd: offset, head: await headOf(handle), mark: fingerprintOf(recent), recent };
    return new TailedFile(key, path, handle, state, now);
  }

  /** Follows an open file that takes over another's read state (the copy of a truncated file). */
  static continuing(handle: FileHandle, key: string, path: string, state: ReadState, now: number): TailedFile {
    return new TailedFile(key, path, handle, state, now);
  }

  /** Offset of the next byte to read. */
  get position(): number {
    return this.splitter.position;
  }

  /** Whether bytes after the last line are held (a partial line). */
  get hasPartial(): boolean {
    return this.splitter.position > this.lastEnd;
  }

  /** What the position file should remember once the lines handed out so far are acknowledged. */
  entry(): FileEntry {
    return { path: this.path, offset: this.lastEnd, head: this.head, mark: this.mark };
  }

  /** The fingerprints of the bytes read so far, to recognise this file's copy. */
  fingerprints(): { head: Fingerprint; mark: Fingerprint } {
    return { head: this.head, mark: fingerprintOf(this.recent) };
  }

  /** Reads whole lines until `maxLines` or the end of the file; a trailing partial line is held. */
  async readLines(buffer: Buffer, maxLines: number, now: number): Promise<TailLine[]> {
    const out: TailLine[] = [];
    while (out.length < maxLines) {
      const start = this.splitter.position;
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, start);
      if (bytesRead === 0) {
        this.atEof = true;
        break;
      }
      this.atEof = false;
      this.lastGrowth = now;
      const chunk = buffer.subarray(0, bytesRead);
      const lines = this.splitter.push(chunk);
      const last = lines[lines.length - 1];
      if (last !== undefined) {
        this.lastEnd = last.end;
        this.mark = fingerprintOf(bytesBefore(last.end, start, chunk, this.recent, MARK_BYTES));
      }
      for (const l of lines) out.push(decode(l));
      this.recent = Buffer.from(bytesBefore(start + bytesRead, start, chunk, this.recent, MARK_BYTES));
      // A short read is the end of the file as it is now: no second read to find that out
      // (bytes appended meanwhile wake the tail again, or are found by the next poll).
      if (bytesRead < buffer.length) {
        this.atEof = true;
        break;
      }
    }
    if (this.hasPartial) this.partialSince ??= now;
    else this.partialSince = undefined;
    if (this.head.len < HEAD_BYTES && this.splitter.position > this.head.len) this.head = await headOf(this.handle);
    return out;
  }

  /** Hands out the held partial line as a line (it waited long enough, or its file ends). */
  flushPartial(): TailLine[] {
    const lines = this.splitter.end().map(decode);
    this.lastEnd = this.splitter.position;
    this.mark = fingerprintOf(this.recent);
    this.partialSince = undefined;
    return lines;
  }

  /**
   * Whether the file was truncated under the read position: it is shorter than that, or the bytes
   * just before it changed (truncated and written again past it between two checks).
   */
  async isTruncated(): Promise<boolean> {
    if (this.recent.length === 0) return (await this.handle.stat()).size < this.position;
    // One read answers both: a file shorter than the position reads short.
    const bytes = await readAt(this.handle, this.position - this.recent.length, this.recent.length);
    return !bytes.equals(this.recent);
  }

  /** Whether the file was deleted (no name links to it any more). */
  async isDeleted(): Promise<boolean> {
    return (await this.handle.stat()).nlink === 0;
  }

  /** Current size of the file. */
  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  /** Gives the read state away (to the truncated file's copy) and starts again at offset 0. */
  handOver(maxLineBytes: number): ReadState {
    const state: ReadState = { splitter: this.splitter, lastEnd: this.lastEnd, head: this.head, mark: this.mark, recent: this.recent };
    this.restart(maxLineBytes);
    return state;
  }

  /** Starts again at offset 0 (after a truncation). */
  restart(maxLineBytes: number): void {
    this.splitter = new LineSplitter(maxLineBytes, 0);
    this.lastEnd = 0;
    this.head = EMPTY_FINGERPRINT;
    this.mark = EMPTY_FINGERPRINT;
    this.recent = Buffer.alloc(0);
    this.partialSince = undefined;
    this.atEof = false;
  }

  /** Hands out the held partial line, if any, and closes the file. */
  async finish(): Promise<TailLine[]> {
    const lines = this.flushPartial();
    await this.close();
    return lines;
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

function decode(line: SplitLine): TailLine {
  return { text: line.bytes.toString('utf8'), truncated: line.truncated, end: line.end };
}
