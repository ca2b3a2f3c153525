import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EmbeddedLog } from '../log/index.js';
import { decodeRecords, encodeRecord, splitRecords, type EncodedRecord, type WireRecord } from './wire-record.js';

const TOPIC = 'link';
const DOWNSTREAM = 'downstream';
const TRIMMED = 'trimmed';
/** Segment size of a queue opened without one (the receiver's): the unit of trimming. */
export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

/**
 * One side's disk queue: an embedded-log topic with one partition, fsynced before every append
 * resolves. A record's sequence number is its offset + 1 (docs/decisions/mirror-link.md), so the
 * queue's end is the highest sequence number it holds.
 */
export class DiskQueue {
  /** An append failed (e.g. ENOSPC): the log's partition stays failed until the log is opened again. */
  private broken = false;

  private constructor(
    private log: EmbeddedLog,
    private readonly dir: string,
    private readonly segmentBytes: number,
  ) {}

  /** `segmentBytes`: the unit of trimming (whole segments of acknowledged records are deleted). */
  static async open(dir: string, segmentBytes = DEFAULT_SEGMENT_BYTES): Promise<DiskQueue> {
    return new DiskQueue(await DiskQueue.openLog(dir, segmentBytes), dir, segmentBytes);
  }

  private static async openLog(dir: string, segmentBytes: number): Promise<EmbeddedLog> {
    const log = await EmbeddedLog.open({ dir, segmentBytes, fsync: { mode: 'batch' } });
    if (!log.topics().includes(TOPIC)) await log.createTopic(TOPIC, { partitions: 1 });
    return log;
  }

  /**
   * After a failed append: once a probe file of `bytes` can be written (space is back), opens the
   * log again (its recovery drops a torn tail). Until then the failed log keeps serving reads.
   */
  private async heal(bytes: number): Promise<void> {
    if (!this.broken) return;
    const probe = path.join(this.dir, '.space-probe');
    try {
      await writeFile(probe, Buffer.alloc(bytes));
    } finally {
      await rm(probe, { force: true });
    }
    await this.log.close().catch(() => undefined);
    this.log = await DiskQueue.openLog(this.dir, this.segmentBytes);
    this.broken = false;
  }

  /** Highest sequence number held (0: empty). */
  get head(): number {
    return this.log.endOffset(TOPIC, 0);
  }

  /** Lowest sequence number still held. */
  get tail(): number {
    return this.log.startOffset(TOPIC, 0) + 1;
  }

  /** Bytes the queue takes on disk. */
  get sizeBytes(): number {
    return this.log.describePartition(TOPIC, 0).sizeBytes;
  }

  /** Whether {@link trimThrough} of `seq` would delete a segment. */
  canTrim(seq: number): boolean {
    const segments = this.log.describePartition(TOPIC, 0).segments;
    return segments.length > 1 && (segments[0] as { nextOffset: number }).nextOffset <= seq;
  }

  /**
   * The highest sequence number the queue may have deleted (sender side: the receiver had
   * acknowledged it). Durable; 0 when nothing was trimmed.
   */
  get trimmed(): number {
    return this.log.committedOffset(TRIMMED, TOPIC, 0) ?? 0;
  }

  /**
   * Deletes the whole segments holding only sequence numbers up to `seq` (acknowledged by the
   * receiver, or delivered downstream); {@link trimmed} is made durable first.
   */
  async trimThrough(seq: number): Promise<void> {
    if (seq > this.trimmed) await this.log.commitOffset(TRIMMED, TOPIC, 0, seq);
    // Sequence number s is offset s - 1: offsets below seq are s <= seq.
    await this.log.deleteRecordsBefore(TOPIC, 0, seq);
  }

  /**
   * Appends durably; resolves with the last sequence number given. Appended in pieces of at most
   * half a segment, so no segment grows far past `segmentBytes` and each can be trimmed.
   */
  append(records: readonly WireRecord[], first?: number): Promise<number> {
    return this.appendEncoded(records.map(encodeRecord), first);
  }

  /** {@link append} of records already in their wire encoding. */
  async appendEncoded(records: readonly EncodedRecord[], first?: number): Promise<number> {
    if (records.length === 0) return this.head;
    const pieces: { value: Buffer; ts: number }[][] = [[]];
    let bytes = 0;
    for (const r of records) {
      const entry = { value: r.bytes, ts: r.ts };
      if (bytes > 0 && bytes + entry.value.length > this.segmentBytes / 2) {
        pieces.push([]);
        bytes = 0;
      }
      (pieces[pieces.length - 1] as { value: Buffer; ts: number }[]).push(entry);
      bytes += entry.value.length;
    }
    await this.heal(2 * bytes + 64 * 1024);
    if (first !== undefined && first !== this.head + 1) {
      // A failed append can leave a whole prefix of its records on disk, which the reopened log
      // keeps: those sequence numbers are held already, so only the rest goes in.
      if (first > this.head + 1) throw new RangeError(`append from ${first} but the queue ends at ${this.head}`);
      return this.appendEncoded(records.slice(this.head + 1 - first), this.head + 1);
    }
    try {
      const results = await Promise.all(pieces.map((piece) => this.log.append(TOPIC, 0, piece)));
      return (results[results.length - 1] as { lastOffset: number }).lastOffset + 1;
    } catch (err) {
      this.broken = true;
      throw err;
    }
  }

  /** Records from sequence number `seq` on, within the limits (each decoded into buffers of its own). */
  async read(seq: number, maxRecords: number, maxBytes: number): Promise<WireRecord[]> {
    return (await this.stored(seq, maxRecords, maxBytes)).map((bytes) => decodeRecords(bytes, 1)[0] as WireRecord);
  }

  /** {@link read}, the records left in their wire encoding (views of the bytes read, not copies). */
  async readEncoded(seq: number, maxRecords: number, maxBytes: number): Promise<EncodedRecord[]> {
    return (await this.stored(seq, maxRecords, maxBytes)).map((bytes) => splitRecords(bytes, 1)[0] as EncodedRecord);
  }

  private async stored(seq: number, maxRecords: number, maxBytes: number): Promise<Buffer[]> {
    const got = await this.log.read(TOPIC, 0, seq - 1, { maxRecords, maxBytes });
    return got.records.map((e) => Buffer.from(e.value.buffer, e.value.byteOffset, e.value.byteLength));
  }

  /** The sequence number up to which downstream has taken the records (receiver side). */
  get delivered(): number {
    return this.log.committedOffset(DOWNSTREAM, TOPIC, 0) ?? 0;
  }

  async deliver(seq: number): Promise<void> {
    await this.log.commitOffset(DOWNSTREAM, TOPIC, 0, seq);
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
