import type { EmbeddedLogConfig } from './config.js';
import { InvalidRecord, LogClosed, PartitionFailed } from './errors.js';
import { fsyncDir } from './fs-util.js';
import { openPartitionSegments, type PartitionRecovery } from './partition-open.js';
import { readPartition, type ReadLimits, type ReadResult } from './partition-reader.js';
import { assertLogEntry, type LogEntry } from './entry.js';
import { encodeFrame, frameSize } from './record-codec.js';
import { countSegmentsToDelete } from './retention.js';
import { Segment } from './segment.js';
import { SerialQueue } from '../core/serial-queue.js';
import { FsyncCoalescer } from './fsync-coalescer.js';

/** Offsets assigned to one append call. */
export interface AppendResult {
  /** Offset of the first record (equals the high watermark before the append). */
  baseOffset: number;
  /** Offset of the last record (`baseOffset - 1` for an empty batch). */
  lastOffset: number;
}

/** Durable position of a partition: every offset below `offset` survives a crash. */
export interface FlushedPosition {
  offset: number;
  /** Segment holding the flushed end, and the flushed byte length of that segment. */
  segmentBaseOffset: number;
  bytes: number;
}

interface PendingAppend {
  records: readonly LogEntry[];
  bytes: number;
  settled: boolean;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

const MAX_APPEND_BYTES = 1024 * 1024 * 1024; // keeps segment positions within u32
const MAX_GROUP_BYTES = 1024 * 1024; // appends coalesced into one write (a larger single append is written alone)

/**
 * One partition: an ordered list of segments, the last one active. Writes,
 * rolls and retention run one at a time on a serial queue; concurrent
 * appends that queue up are written with one write (and, in batch mode,
 * acknowledged by one fsync). Reads run concurrently and only see bytes
 * whose write completed.
 */
export class PartitionLog {
  readonly maxRecordBytes: number;
  readonly indexIntervalBytes: number;
  private flushed: FlushedPosition;
  private readonly queue = new SerialQueue();
  private pending: PendingAppend[] = [];
  private writeScheduled = false;
  private readonly fsyncs = new FsyncCoalescer(() => this.syncActive());
  private failure: PartitionFailed | undefined;
  private closed = false;

  private constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly dir: string,
    private readonly config: EmbeddedLogConfig,
    readonly segments: Segment[],
  ) {
    this.maxRecordBytes = config.maxRecordBytes;
    this.indexIntervalBytes = config.indexIntervalBytes;
    const active = this.active;
    // Recovery fsynced what it kept; treat the recovered state as flushed.
    this.flushed = { offset: active.nextOffset, segmentBaseOffset: active.baseOffset, bytes: active.size };
  }

  static async open(
    dir: string,
    topic: string,
    partition: number,
    config: EmbeddedLogConfig,
  ): Promise<{ log: PartitionLog; recovery: PartitionRecovery }> {
    const { segments, recovery } = await openPartitionSegments(dir, topic, partition, config);
    return { log: new PartitionLog(topic, partition, dir, config, segments), recovery };
  }

  private get active(): Segment {
    const seg = this.segments[this.segments.length - 1];
    if (seg === undefined) throw new Error('partition without segments');
    return seg;
  }

  get highWatermark(): number {
    return this.active.nextOffset;
  }

  get logStartOffset(): number {
    return this.segments[0]?.baseOffset ?? 0;
  }

  get flushedPosition(): FlushedPosition {
    return { ...this.flushed };
  }

  get sizeBytes(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  append(records: readonly LogEntry[]): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new LogClosed());
    if (this.failure !== undefined) return Promise.reject(this.failure);
    let bytes = 0;
    try {
      records.forEach((rec, i) => {
        assertLogEntry(rec, i);
        const size = frameSize(rec);
        if (size > this.maxRecordBytes) throw new InvalidRecord(`record ${i} is ${size} bytes, over maxRecordBytes`);
        bytes += size;
      });
      if (bytes > MAX_APPEND_BYTES) throw new InvalidRecord(`append of ${bytes} bytes exceeds ${MAX_APPEND_BYTES}`);
    } catch (err) {
      return Promise.reject(err);
    }
    if (records.length === 0) {
      const hw = this.highWatermark;
      return Promise.resolve({ baseOffset: hw, lastOffset: hw - 1 });
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ records, bytes, settled: false, resolve, reject });
      this.schedulePendingWrite();
    });
  }

  read(offset: number, limits: ReadLimits): Promise<ReadResult> {
    if (this.closed) return Promise.reject(new LogClosed());
    return readPartition(this, offset, limits);
  }

  /** Resolves once everything written before the call is fsynced. */
  async flush(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.highWatermark > this.flushed.offset) await this.fsyncs.request();
  }

  /** True when written data awaits an fsync. */
  get dirty(): boolean {
    return this.failure === undefined && this.highWatermark > this.flushed.offset;
  }

  /** Applies retention; returns the number of segments deleted. */
  enforceRetention(now: number): Promise<number> {
    return this.queue.run(async () => {
      if (this.closed || this.failure !== undefined) return 0;
      const { bytes, ms } = this.config.retention;
      const active = this.active;
      // Seal an active segment whose newest record expired so an idle partition can age out too.
      if (ms !== null && active.size > 0 && now - active.maxTimestamp > ms) await this.roll();
      const closed = this.segments.slice(0, -1);
      return this.deleteOldest(countSegmentsToDelete(closed, this.active.size, { bytes, ms }, now));
    });
  }

  /**
   * Deletes the closed segments that hold only offsets below `offset` (the active segment stays);
   * returns the number deleted. The new log start is durable when it resolves.
   */
  deleteBefore(offset: number): Promise<number> {
    return this.queue.run(async () => {
      if (this.closed || this.failure !== undefined) return 0;
      let n = 0;
      while (n < this.segments.length - 1 && (this.segments[n] as Segment).nextOffset <= offset) n++;
      return this.deleteOldest(n);
    });
  }

  private async deleteOldest(n: number): Promise<number> {
    if (n === 0) return 0;
    // Advance the log start before unlinking so readers fail cleanly instead of hitting a missing file.
    const doomed = this.segments.splice(0, n);
    for (const seg of doomed) await seg.delete();
    await fsyncDir(this.dir);
    return n;
  }

  /** Waits for queued writes, fsyncs, and closes every segment. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A write task may queue another one for the rest of the pending appends: drain them all first.
    while (this.pending.length > 0 || this.writeScheduled) await this.queue.run(async () => undefined);
    await this.queue.run(async () => {
      if (this.failure === undefined && this.dirty) await this.fsyncs.request().catch(() => undefined);
      await this.fsyncs.settle();
      for (const seg of this.segments) await seg.close();
    });
  }

  private schedulePendingWrite(): void {
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    void this.queue.run(() => this.writePending());
  }

  private async writePending(): Promise<void> {
    this.writeScheduled = false;
    // Bound one write's buffer; the rest goes in the next task, which can then overlap the fsync of this one.
    let n = 0;
    let groupBytes = 0;
    for (const a of this.pending) {
      if (n > 0 && groupBytes + a.bytes > MAX_GROUP_BYTES) break;
      groupBytes += a.bytes;
      n++;
    }
    const batch = this.pending.splice(0, n);
    if (this.pending.length > 0) this.schedulePendingWrite();
    try {
      if (this.failure !== undefined) throw this.failure;
      let chunk: PendingAppend[] = [];
      let chunkBytes = 0;
      for (const a of batch) {
        const used = this.active.size + chunkBytes;
        if (used > 0 && used + a.bytes > this.config.segmentBytes) {
          await this.writeChunk(chunk, chunkBytes);
          chunk = [];
          chunkBytes = 0;
          await this.roll();
        }
        chunk.push(a);
        chunkBytes += a.bytes;
      }
      await this.writeChunk(chunk, chunkBytes);
    } catch (err) {
      const failure = this.fail(err);
      for (const a of batch) if (!a.settled) a.reject(failure);
    }
  }

  private async writeChunk(appends: readonly PendingAppend[], bytes: number): Promise<void> {
    if (appends.length === 0) return;
    const seg = this.active;
    const buf = Buffer.allocUnsafe(bytes);
    const results: AppendResult[] = [];
    let pos = 0;
    let offset = seg.nextOffset;
    let maxTs = -Infinity;
    for (const a of appends) {
      const baseOffset = offset;
      for (const rec of a.records) {
        // Entries past the committed end are harmless: lookups only ask for offsets < high watermark.
        seg.index.maybeAdd(offset, seg.size + pos);
        pos = encodeFrame(buf, pos, offset++, rec);
        if (rec.ts > maxTs) maxTs = rec.ts;
      }
      results.push({ baseOffset, lastOffset: offset - 1 });
    }
    if (pos !== bytes) throw new Error(`encoded ${pos} bytes, expected ${bytes}`);
    await seg.writeAtEnd(buf);
    seg.commit(bytes, offset, maxTs);
    const ack = this.config.fsync.mode === 'batch' ? this.fsyncs.request() : undefined;
    appends.forEach((a, i) => {
      a.settled = true;
      const result = results[i] as AppendResult;
      if (ack === undefined) a.resolve(result);
      else ack.then(() => a.resolve(result), a.reject);
    });
  }

  /** Seals the active segment (fsync + index sidecar) and starts a new one. */
  private async roll(): Promise<void> {
    const old = this.active;
    await old.seal();
    const seg = await Segment.create(this.dir, old.nextOffset, this.indexIntervalBytes);
    await fsyncDir(this.dir);
    this.segments.push(seg);
    this.flushed = { offset: old.nextOffset, segmentBaseOffset: seg.baseOffset, bytes: 0 };
  }

  /** fsyncs the active segment; older segments were fsynced when sealed. */
  private async syncActive(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const seg = this.active;
    const upTo = seg.nextOffset;
    const bytes = seg.size;
    try {
      await seg.sync();
    } catch (err) {
      throw this.fail(err);
    }
    if (upTo > this.flushed.offset) this.flushed = { offset: upTo, segmentBaseOffset: seg.baseOffset, bytes };
  }

  private fail(err: unknown): PartitionFailed {
    if (err instanceof PartitionFailed) return err;
    this.failure ??= new PartitionFailed(this.topic, this.partition, err);
    return this.failure;
  }
}
