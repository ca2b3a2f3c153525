import { open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { segmentStem, writeFileAtomic } from './fs-util.js';
import { SparseIndex } from './sparse-index.js';

/** State of a segment learned from recovery or a sealed index sidecar. */
export interface SegmentState {
  sizeBytes: number;
  nextOffset: number;
  maxTimestamp: number;
  index: SparseIndex;
}

/**
 * One segment file of a partition. `size` and `nextOffset` only cover bytes
 * whose write completed, so readers never see a half-written frame. The
 * owning partition serialises all mutations; reads may run concurrently.
 */
export class Segment {
  readonly logPath: string;
  readonly indexPath: string;
  size: number;
  nextOffset: number;
  maxTimestamp: number;
  index: SparseIndex;
  sealed = false;
  private refs = 0;
  private deleted = false;
  private closing: Promise<void> | undefined;

  private constructor(
    dir: string,
    readonly baseOffset: number,
    private readonly fh: FileHandle,
    state: SegmentState,
  ) {
    const stem = segmentStem(baseOffset);
    this.logPath = path.join(dir, `${stem}.log`);
    this.indexPath = path.join(dir, `${stem}.index`);
    this.size = state.sizeBytes;
    this.nextOffset = state.nextOffset;
    this.maxTimestamp = state.maxTimestamp;
    this.index = state.index;
  }

  /** Creates a new, empty segment file (fails if it already exists). */
  static async create(dir: string, baseOffset: number, indexIntervalBytes: number): Promise<Segment> {
    const fh = await open(path.join(dir, `${segmentStem(baseOffset)}.log`), 'wx+');
    return new Segment(dir, baseOffset, fh, {
      sizeBytes: 0,
      nextOffset: baseOffset,
      maxTimestamp: -Infinity,
      index: new SparseIndex(indexIntervalBytes),
    });
  }

  /** Wraps an already-open, already-recovered segment file. */
  static adopt(dir: string, baseOffset: number, fh: FileHandle, state: SegmentState, sealed: boolean): Segment {
    const seg = new Segment(dir, baseOffset, fh, state);
    seg.sealed = sealed;
    return seg;
  }

  /** Writes `buf` at the current end. Callers update size/nextOffset on success via {@link commit}. */
  async writeAtEnd(buf: Buffer): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done, this.size + done);
      done += bytesWritten;
    }
  }

  /** Makes bytes written by {@link writeAtEnd} visible to readers. */
  commit(bytes: number, nextOffset: number, maxTimestamp: number): void {
    this.size += bytes;
    this.nextOffset = nextOffset;
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
  }

  async sync(): Promise<void> {
    await this.fh.sync();
  }

  /** Reads up to `length` bytes at `position`, bounded by the committed size. */
  async readAt(position: number, length: number, limit = this.size): Promise<Buffer> {
    const n = Math.max(0, Math.min(length, limit - position));
    const buf = Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      const { bytesRead } = await this.fh.read(buf, done, n - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === n ? buf : buf.subarray(0, done);
  }

  /** fsyncs the data and writes the sparse index sidecar; the segment becomes read-only. */
  async seal(): Promise<void> {
    await this.fh.sync();
    const sidecar = this.index.serialize({
      baseOffset: this.baseOffset,
      nextOffset: this.nextOffset,
      sizeBytes: this.size,
      maxTimestamp: this.maxTimestamp,
    });
    await writeFileAtomic(this.indexPath, sidecar);
    this.sealed = true;
  }

  /** Pins the file handle for a read; false if the segment was deleted. */
  acquire(): boolean {
    if (this.deleted) return false;
    this.refs++;
    return true;
  }

  release(): void {
    this.refs--;
    if (this.deleted && this.refs === 0) void this.closeHandle();
  }

  /** Unlinks the files now; the handle closes once in-flight reads finish. */
  async delete(): Promise<void> {
    this.deleted = true;
    await rm(this.logPath, { force: true });
    await rm(this.indexPath, { force: true });
    if (this.refs === 0) await this.closeHandle();
  }

  async close(): Promise<void> {
    await this.closeHandle();
  }

  private closeHandle(): Promise<void> {
    this.closing ??= this.fh.close().catch(() => undefined);
    return this.closing;
  }
}
