import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Share } from '../core/shared-resources.js';
import { OffsetOutOfRange, type EmbeddedLog, type StoredEntry } from '../log/index.js';
import { embeddedGroup, type EmbeddedGroup, type GroupMember, type TopicPartition } from './embedded-group.js';
import { acquireEmbeddedLog, type EmbeddedLogLease } from './embedded-log-pool.js';
import { ensureTopic } from './embedded-topics.js';
import { HandoffBuffer } from './handoff-buffer.js';
import type { ConsumedBatch, ConsumedMessage, ConsumerOptions, LogConsumer, PartitionOffset, PartitionRange, PartitionStatus } from './message-log.js';
import { OffsetOutOfRangeError } from './offset-out-of-range.js';
import { PartitionTable, type PartitionState } from './partition-table.js';
import { bytesOf } from '../core/text-or-bytes.js';

/** The embedded log has no long poll: an idle consumer looks for new records this often. */
const POLL_MS = 20;
const READ_LIMITS = { maxRecords: 2000, maxBytes: 1024 * 1024 };

export function toConsumed(r: StoredEntry): ConsumedMessage {
  return {
    offset: r.offset,
    key: r.key === undefined ? null : bytesOf(r.key),
    value: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
    headers: r.headers ?? {},
    timestamp: r.ts,
  };
}

/**
 * A consumer group member on the embedded log. Same contract as the Kafka consumer: auto-commit
 * off, a bounded hand-off buffer that pauses fetching when full, epochs per assignment. Partitions
 * that stay assigned across a rebalance keep their fetch position and epoch (no redelivery), since
 * here the fetch position is ours, not the client library's.
 */
export class EmbeddedLogConsumer implements LogConsumer {
  private readonly table = new PartitionTable();
  private readonly buffer: HandoffBuffer;
  private lease: EmbeddedLogLease | undefined;
  private group: EmbeddedGroup | undefined;
  private readonly member: GroupMember;
  private autoPaused = false;
  private userPaused = false;
  private closed = false;
  private loop: Promise<void> | undefined;
  private readonly stop = new AbortController();

  constructor(
    private readonly dir: string,
    private readonly options: ConsumerOptions,
    private readonly log: Logger,
    private readonly share: Share,
  ) {
    this.buffer = new HandoffBuffer(
      { maxRecords: options.maxBufferedRecords, maxBytes: options.maxBufferedBytes },
      { full: () => (this.autoPaused = true), room: () => (this.autoPaused = false) },
    );
    this.member = { topics: options.topics, assigned: (parts) => this.onAssignment(parts) };
  }

  async connect(): Promise<void> {
    this.lease = await acquireEmbeddedLog(this.dir, this.share);
    const log = this.lease.resource;
    // Like Kafka's auto-creation: a source may start before anything was written to its topics.
    if (Array.isArray(this.options.topics)) for (const topic of this.options.topics) await ensureTopic(log, topic);
    this.group = embeddedGroup(log, this.options.group);
    this.group.join(this.member);
    const { topics } = this.options;
    if (topics instanceof RegExp) this.watchPattern(log, topics);
    this.loop = this.fetchLoop(log).catch((error: unknown) => this.buffer.fail(error));
  }

  async ranges(): Promise<PartitionRange[]> {
    const log = this.lease?.resource;
    if (log === undefined) throw new Error('embedded consumer is not connected');
    const { topics, group } = this.options;
    const matching = log.topics().filter((t) => (topics instanceof RegExp ? topics.test(t) : topics.includes(t)));
    return matching.flatMap((topic) =>
      Array.from({ length: log.partitionCount(topic) }, (_, partition) => ({
        topic,
        partition,
        low: log.startOffset(topic, partition),
        high: log.endOffset(topic, partition),
        committed: log.committedOffset(group, topic, partition) ?? null,
      })),
    );
  }

  next(): Promise<ConsumedBatch> {
    return this.buffer.take();
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    const current = offsets.filter((o) => this.table.isCurrent(o));
    if (current.length === 0 || this.lease === undefined || this.closed) return;
    await this.lease.resource.commitOffsets(this.options.group, current.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })));
    for (const o of current) {
      const part = this.table.get(o.topic, o.partition);
      if (part?.epoch === o.epoch) part.committed = o.offset;
    }
  }

  pause(): void {
    this.userPaused = true;
  }

  resume(): void {
    this.userPaused = false;
  }

  status(): PartitionStatus[] {
    const log = this.lease?.resource;
    for (const p of this.table.all()) if (log !== undefined && !this.closed) p.highWatermark = log.endOffset(p.topic, p.partition);
    return this.table.status(() => this.autoPaused || this.userPaused);
  }

  async disconnect(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    this.group?.leave(this.member);
    this.buffer.fail(new Error('embedded consumer closed'));
    await this.loop;
    await this.lease?.release();
  }

  /** Topics created later that match the pattern join the group's assignment within `topicRefreshMs`. */
  private watchPattern(log: EmbeddedLog, pattern: RegExp): void {
    const matching = (): string[] => log.topics().filter((t) => pattern.test(t));
    let known = new Set(matching());
    if (known.size === 0) this.log.warn({ group: this.options.group, topicPattern: pattern.source, refreshMs: this.options.topicRefreshMs }, 'topicPattern matches no topic yet');
    const timer = setInterval(() => {
      const now = matching();
      if (this.closed || now.every((t) => known.has(t))) return;
      this.log.info({ group: this.options.group, added: now.filter((t) => !known.has(t)) }, 'new topics match topicPattern: subscribing to them');
      known = new Set(now);
      this.group?.refresh();
    }, this.options.topicRefreshMs);
    timer.unref();
    this.stop.signal.addEventListener('abort', () => clearInterval(timer));
  }

  private onAssignment(partitions: TopicPartition[]): void {
    this.table.assign(partitions, true);
    this.buffer.drop((b) => this.table.get(b.topic, b.partition)?.epoch === b.epoch);
  }

  private async fetchLoop(log: EmbeddedLog): Promise<void> {
    while (!this.closed) {
      let fetched = false;
      if (!this.autoPaused && !this.userPaused) {
        for (const part of this.table.all()) {
          if (this.closed || this.autoPaused) break;
          fetched = (await this.fetch(log, part)) || fetched;
        }
      }
      if (!fetched && !this.closed) await sleep(POLL_MS, undefined, { signal: this.stop.signal }).catch(() => undefined);
    }
  }

  /** Reads one batch of `part` into the buffer; false when there was nothing new. */
  private async fetch(log: EmbeddedLog, part: PartitionState): Promise<boolean> {
    const { topic, partition, epoch } = part;
    if (part.position === null) {
      const committed = log.committedOffset(this.options.group, topic, partition);
      part.committed = committed ?? null;
      part.position = committed ?? (this.options.start === 'earliest' ? log.startOffset(topic, partition) : log.endOffset(topic, partition));
    }
    let result;
    try {
      result = await log.read(topic, partition, part.position, READ_LIMITS);
    } catch (error) {
      if (!(error instanceof OffsetOutOfRange)) throw error;
      const policy = this.options.offsetOutOfRange;
      if (policy === 'fail') {
        throw new OffsetOutOfRangeError(this.options.group, topic, partition, part.position, error.logStartOffset, error.highWatermark);
      }
      const to = policy === 'earliest' ? error.logStartOffset : error.highWatermark;
      this.log.warn({ topic, partition, from: part.position, to }, `offset out of range: continuing from the ${policy} offset as configured`);
      part.position = to;
      return true;
    }
    // Reassigned while reading: the records belong to the next owner (or the next epoch).
    if (this.table.get(topic, partition)?.epoch !== epoch) return false;
    part.highWatermark = result.highWatermark;
    if (result.records.length === 0) return false;
    part.position = result.nextOffset;
    this.buffer.push({ topic, partition, epoch, messages: result.records.map(toConsumed), highWatermark: result.highWatermark });
    return true;
  }
}
