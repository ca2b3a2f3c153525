import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { EmbeddedLogConfigSchema, type EmbeddedLogConfig, type EmbeddedLogConfigInput } from './config.js';
import { ConsumerOffsetStore, type OffsetCommit } from './consumer-offsets.js';
import { acquireDirLock } from './dir-lock.js';
import { InvalidArgument, LogClosed, TopicExists, UnknownTopicOrPartition } from './errors.js';
import { fsyncDir, isErrno, writeFileAtomic } from './fs-util.js';
import type { PartitionRecovery } from './partition-open.js';
import { PartitionLog, type AppendResult, type FlushedPosition } from './partition-log.js';
import type { ReadLimits, ReadResult } from './partition-reader.js';
import type { LogEntry } from './entry.js';
import { SerialQueue } from '../core/serial-queue.js';

/** Diagnostic view of one partition (see {@link EmbeddedLog.describePartition}). */
export interface PartitionInfo {
  logStartOffset: number;
  highWatermark: number;
  flushed: FlushedPosition;
  sizeBytes: number;
  segments: { baseOffset: number; nextOffset: number; sizeBytes: number; sealed: boolean; path: string }[];
}

/** Default read limits: 1 MiB of frames or 10 000 records, whichever comes first. */
export const DEFAULT_READ_LIMITS: ReadLimits = { maxRecords: 10_000, maxBytes: 1024 * 1024 };

const OFFSETS_DIR = '__consumer_offsets';
const TOPIC_FILE = 'topic.json';
// No leading '.' or '__': those names are reserved for the lock file and the offsets directory.
const TOPIC_NAME = /^(?!\.|__)[A-Za-z0-9._-]{1,249}$/;

/**
 * Embedded durable log: Kafka-like topics, partitions and offsets in one
 * process, stored as CRC-framed segment files under `config.dir`.
 *
 * Visibility: a record is readable as soon as its write reached the OS,
 * which in `batch` mode is before its append resolves (that waits for the
 * fsync) and in `interval` mode may be before any fsync. Only offsets below
 * {@link flushedOffset} are guaranteed to survive a machine crash; after a
 * process crash everything written survives.
 *
 * @example
 * ```ts
 * const log = await EmbeddedLog.open({ dir: '/var/lib/millrace/log', fsync: { mode: 'batch' } });
 * await log.createTopic('events', { partitions: 4 });
 * const { baseOffset } = await log.append('events', 0, [{ value: Buffer.from('hi'), ts: Date.now() }]);
 * const { records, nextOffset } = await log.read('events', 0, baseOffset, { maxRecords: 100 });
 * await log.commitOffset('indexer', 'events', 0, nextOffset);
 * await log.close();
 * ```
 */
export class EmbeddedLog {
  private readonly meta = new SerialQueue();
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;

  private constructor(
    /** Configuration with defaults applied. */
    readonly config: EmbeddedLogConfig,
    /** What crash recovery found, one entry per partition opened. */
    readonly recovery: readonly PartitionRecovery[],
    private readonly topicMap: Map<string, PartitionLog[]>,
    private readonly offsets: ConsumerOffsetStore,
    private readonly releaseLock: () => Promise<void>,
  ) {
    if (config.fsync.mode === 'interval') {
      this.every(config.fsync.intervalMs, () => this.flush());
    }
    const { bytes, ms, checkIntervalMs } = config.retention;
    if (bytes !== null || ms !== null) this.every(checkIntervalMs, () => this.enforceRetention());
  }

  /** Opens (creating if needed) the log in `config.dir`, running crash recovery on every partition. */
  static async open(config: EmbeddedLogConfigInput): Promise<EmbeddedLog> {
    const cfg = EmbeddedLogConfigSchema.parse(config);
    await mkdir(cfg.dir, { recursive: true });
    const releaseLock = await acquireDirLock(cfg.dir);
    try {
      const topicMap = new Map<string, PartitionLog[]>();
      const recovery: PartitionRecovery[] = [];
      for (const entry of await readdir(cfg.dir, { withFileTypes: true })) {
        if (!entry.isDirectory() || !TOPIC_NAME.test(entry.name)) continue;
        const count = await readTopicFile(path.join(cfg.dir, entry.name));
        if (count === undefined) continue; // creation never completed
        const opened = await Promise.all(
          Array.from({ length: count }, (_, p) => PartitionLog.open(path.join(cfg.dir, entry.name, String(p)), entry.name, p, cfg)),
        );
        topicMap.set(entry.name, opened.map((o) => o.log));
        recovery.push(...opened.map((o) => o.recovery));
      }
      const offsets = await ConsumerOffsetStore.open(path.join(cfg.dir, OFFSETS_DIR));
      return new EmbeddedLog(cfg, recovery, topicMap, offsets, releaseLock);
    } catch (err) {
      await releaseLock();
      throw err;
    }
  }

  /** Creates a topic; a no-op if it exists with the same partition count, {@link TopicExists} otherwise. */
  createTopic(topic: string, opts: { partitions: number }): Promise<void> {
    return this.meta.run(async () => {
      this.assertOpen();
      if (!TOPIC_NAME.test(topic)) throw new InvalidArgument(`invalid topic name ${JSON.stringify(topic)}`);
      if (!Number.isSafeInteger(opts.partitions) || opts.partitions < 1 || opts.partitions > 10_000) {
        throw new InvalidArgument(`invalid partition count ${opts.partitions}`);
      }
      const existing = this.topicMap.get(topic);
      if (existing !== undefined) {
        if (existing.length === opts.partitions) return;
        throw new TopicExists(topic, existing.length);
      }
      const dir = path.join(this.config.dir, topic);
      await rm(dir, { recursive: true, force: true }); // leftovers of an interrupted creation hold no acknowledged data
      await mkdir(dir, { recursive: true });
      const opened = await Promise.all(
        Array.from({ length: opts.partitions }, (_, p) => PartitionLog.open(path.join(dir, String(p)), topic, p, this.config)),
      );
      await fsyncDir(dir);
      // topic.json is written last: its presence marks a complete topic.
      await writeFileAtomic(path.join(dir, TOPIC_FILE), JSON.stringify({ version: 1, partitions: opts.partitions }));
      await fsyncDir(this.config.dir);
      this.topicMap.set(topic, opened.map((o) => o.log));
    });
  }

  /** Names of existing topics. */
  topics(): string[] {
    return [...this.topicMap.keys()];
  }

  /** Number of partitions of `topic`. */
  partitionCount(topic: string): number {
    const parts = this.topicMap.get(topic);
    if (parts === undefined) throw new UnknownTopicOrPartition(topic);
    return parts.length;
  }

  /**
   * Appends `records` to a partition, in order, with contiguous offsets.
   * Resolves once written (interval mode) or written and fsynced (batch mode).
   */
  append(topic: string, partition: number, records: readonly LogEntry[]): Promise<AppendResult> {
    try {
      return this.part(topic, partition).append(records);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Reads from `offset` (inclusive). Throws {@link OffsetOutOfRange} below the
   * log start or above the high watermark; at the high watermark returns no records.
   */
  async read(topic: string, partition: number, offset: number, limits: Partial<ReadLimits> = {}): Promise<ReadResult> {
    const resolved: ReadLimits = {
      maxRecords: limits.maxRecords ?? DEFAULT_READ_LIMITS.maxRecords,
      maxBytes: limits.maxBytes ?? DEFAULT_READ_LIMITS.maxBytes,
    };
    for (const [k, v] of Object.entries(resolved)) {
      if (!Number.isSafeInteger(v) || v < 1) throw new InvalidArgument(`${k} must be a positive integer`);
    }
    return this.part(topic, partition).read(offset, resolved);
  }

  /** High watermark: the offset the next appended record will get. */
  endOffset(topic: string, partition: number): number {
    return this.part(topic, partition).highWatermark;
  }

  /** First offset still retained. */
  startOffset(topic: string, partition: number): number {
    return this.part(topic, partition).logStartOffset;
  }

  /** Every offset below this is fsynced and survives a machine crash. */
  flushedOffset(topic: string, partition: number): number {
    return this.part(topic, partition).flushedPosition.offset;
  }

  /** Offsets, flushed position and segment files of a partition. */
  describePartition(topic: string, partition: number): PartitionInfo {
    const p = this.part(topic, partition);
    return {
      logStartOffset: p.logStartOffset,
      highWatermark: p.highWatermark,
      flushed: p.flushedPosition,
      sizeBytes: p.sizeBytes,
      segments: p.segments.map((s) => ({ baseOffset: s.baseOffset, nextOffset: s.nextOffset, sizeBytes: s.size, sealed: s.sealed, path: s.logPath })),
    };
  }

  /** fsyncs every partition; resolves when all records appended before the call are durable. */
  async flush(): Promise<void> {
    this.assertOpen();
    await Promise.all(this.partitions().map((p) => p.flush()));
  }

  /** Durably commits the next offset `group` will consume from a partition. */
  commitOffset(group: string, topic: string, partition: number, offset: number): Promise<void> {
    return this.commitOffsets(group, [{ topic, partition, offset }]);
  }

  /** Durably commits several offsets of one group atomically (one file replace). */
  async commitOffsets(group: string, entries: readonly OffsetCommit[]): Promise<void> {
    this.assertOpen();
    for (const e of entries) this.part(e.topic, e.partition);
    await this.offsets.commit(group, entries);
  }

  /** Last committed offset of `group` for a partition, or undefined if none. */
  committedOffset(group: string, topic: string, partition: number): number | undefined {
    return this.offsets.committed(group, topic, partition);
  }

  /**
   * Deletes the oldest segments of a partition while every record they hold is below `offset`
   * (whole segments only, never the active one: the log start may stay below `offset`); returns
   * the number of segments deleted. For a log used as a queue, trimmed once consumed.
   */
  deleteRecordsBefore(topic: string, partition: number, offset: number): Promise<number> {
    this.assertOpen();
    return this.part(topic, partition).deleteBefore(offset);
  }

  /** Applies retention now (also runs every `retention.checkIntervalMs`); returns segments deleted. */
  async enforceRetention(now: number = Date.now()): Promise<number> {
    this.assertOpen();
    const deleted = await Promise.all(this.partitions().map((p) => p.enforceRetention(now)));
    return deleted.reduce((a, b) => a + b, 0);
  }

  /** Stops timers, waits for queued appends, fsyncs, closes files and releases the directory lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.meta.run(async () => {
      await Promise.all(this.partitions().map((p) => p.close()));
      await this.releaseLock();
    });
  }

  private partitions(): PartitionLog[] {
    return [...this.topicMap.values()].flat();
  }

  private part(topic: string, partition: number): PartitionLog {
    this.assertOpen();
    const p = this.topicMap.get(topic)?.[partition];
    if (p === undefined || !Number.isInteger(partition)) throw new UnknownTopicOrPartition(topic, partition);
    return p;
  }

  private assertOpen(): void {
    if (this.closed) throw new LogClosed();
  }

  /** Background job; failures surface through the partition's failed state. */
  private every(ms: number, job: () => Promise<unknown>): void {
    let running = false;
    const t = setInterval(() => {
      if (running || this.closed) return;
      running = true;
      job().catch(() => undefined).finally(() => (running = false));
    }, ms);
    t.unref();
    this.timers.push(t);
  }
}

async function readTopicFile(dir: string): Promise<number | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path.join(dir, TOPIC_FILE), 'utf8'));
    const n = (parsed as { partitions?: unknown }).partitions;
    return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}
