import type { Admin, Consumer, EachBatchPayload, IMemberAssignment, Kafka, KafkaMessage, LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import { errorMessage, NotConnected } from '../core/errors.js';
import { HandoffBuffer } from './handoff-buffer.js';
import { decodeFetchV11 } from './kafka-wire/fetch-response.js';
import { installFetchDecoder } from './kafka-wire/kafkajs-internals.js';
import { asNotConnected, createKafka, type KafkaTransport } from './kafka-client.js';
import type { ConsumedBatch, ConsumedMessage, ConsumerOptions, LogConsumer, PartitionOffset, PartitionRange, PartitionStatus } from './message-log.js';
import { OffsetOutOfRangeError } from './offset-out-of-range.js';
import { PartitionTable, partitionKey } from './partition-table.js';
import { setOwn } from '../core/own-property.js';
import { textOrBytes, type TextOrBytes } from '../core/text-or-bytes.js';

/** What kafkajs 2.2.4 logs right before it resets an out-of-range offset and commits the reset. */
const OUT_OF_RANGE_LOG = 'Offset out of range, resetting to default offset';
const WATERMARK_REFRESH_MS = 5000;
/**
 * How long a fetch waits on the broker for data, and how long kafkajs sleeps when every assigned
 * partition is paused: it bounds the stall after a resume (kafkajs' default is 5 s).
 */
const MAX_WAIT_MS = 100;

/** An error kafkajs' retrier gives up on at once (retriable=false) or retries (retriable=true). */
function kafkajsStop(message: string, retriable: boolean): Error {
  return Object.assign(new Error(message), { retriable });
}

function clamp(n: number, min: number, max: number): number {
  return Math.floor(Math.min(max, Math.max(min, n)));
}

export function toConsumed(m: KafkaMessage): ConsumedMessage {
  const headers: Record<string, TextOrBytes> = {};
  const raw = m.headers;
  if (raw !== undefined) {
    for (const name in raw) {
      const value = raw[name];
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined && first !== null) setOwn(headers, name, typeof first === 'string' ? first : textOrBytes(first));
    }
  }
  return { offset: Number(m.offset), key: m.key, value: m.value, headers, timestamp: Number(m.timestamp) };
}

function byTopic(partitions: readonly { topic: string; partition: number }[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const p of partitions) {
    const list = out.get(p.topic);
    if (list === undefined) out.set(p.topic, [p.partition]);
    else list.push(p.partition);
  }
  return out;
}

/**
 * A consumer group member on Kafka through kafkajs' `eachBatch`, with auto-commit off and a
 * bounded {@link HandoffBuffer} (full → the assigned partitions paused, half drained → resumed
 * within {@link MAX_WAIT_MS}; while paused kafkajs keeps heartbeating, so the member stays in the group).
 *
 * Rebalance: kafkajs fetches every partition again from the group's committed offset after each
 * join, so on a new assignment all still-buffered batches are dropped and every partition gets a
 * new epoch: commits of batches read before are skipped (those records are delivered again).
 *
 * Offset out of range: kafkajs would reset to its default offset and commit that reset, silently.
 * Its log line announcing the reset is intercepted and the reset aborted: under `fail` the
 * consumer stops with {@link OffsetOutOfRangeError}; under `earliest`/`latest` it seeks there.
 */
export class KafkaLogConsumer implements LogConsumer {
  private readonly kafka: Kafka;
  private readonly table = new PartitionTable();
  private readonly buffer: HandoffBuffer;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private autoPaused = false;
  private userPaused = false;
  /** Partitions this consumer has paused in kafkajs, by {@link partitionKey}. */
  private readonly pausedPartitions = new Map<string, { topic: string; partition: number }>();
  private readonly resetting = new Set<string>();
  private outOfRange: { topic: string; partition: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private patternTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Admin requests in flight: disconnect waits for them, as one finishing later would reconnect (and leak) a broker connection. */
  private readonly adminCalls = new Set<Promise<unknown>>();

  constructor(
    private readonly transport: KafkaTransport,
    private readonly options: ConsumerOptions,
    private readonly log: Logger,
  ) {
    this.kafka = createKafka(transport, log, { hook: (entry) => this.onKafkaLog(entry) });
    installFetchDecoder(decodeFetchV11);
    this.buffer = new HandoffBuffer(
      { maxRecords: options.maxBufferedRecords, maxBytes: options.maxBufferedBytes },
      { full: () => this.setAutoPause(true), room: () => this.setAutoPause(false) },
    );
  }

  async connect(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.group,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(this.options.sessionTimeoutMs / 10)),
      // Fetches sized to a fraction of the buffer: what lands after a pause stays small, and what
      // does not fit is not decoded only to be dropped and fetched again (a 1 MiB fetch of 120 B
      // records decoded ~5x what the buffer took: 35% more CPU and 200 MB more peak RSS).
      maxBytesPerPartition: Math.min(this.options.fetchBytesPerPartition, Math.max(16 * 1024, this.options.maxBufferedBytes / 4)),
      maxBytes: clamp(this.options.maxBufferedBytes / 2, 64 * 1024, 10 * 1024 * 1024),
      maxWaitTimeInMs: MAX_WAIT_MS,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    this.admin = this.kafka.admin();
    consumer.on(consumer.events.GROUP_JOIN, (e) => this.onAssignment(e.payload.memberAssignment));
    consumer.on(consumer.events.CRASH, (e) => void this.onCrash(e.payload.error));
    const { topics, start } = this.options;
    try {
      await this.admin.connect();
      await consumer.connect();
      const subscribed = topics instanceof RegExp ? await this.matching(topics) : [...topics];
      if (topics instanceof RegExp) this.watchPattern(topics, new Set(subscribed));
      // kafkajs refuses an empty list; the pattern itself then matches nothing until the watch sees a topic.
      await consumer.subscribe({ topics: subscribed.length > 0 ? subscribed : [topics as RegExp], fromBeginning: start === 'earliest' });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.onBatch(p) });
    } catch (error) {
      await this.disconnect();
      throw asNotConnected(error, this.transport.brokers);
    }
    this.timer = setInterval(() => void this.refreshWatermarks(), WATERMARK_REFRESH_MS);
    this.timer.unref();
  }

  async ranges(): Promise<PartitionRange[]> {
    const { topics, group } = this.options;
    const names = topics instanceof RegExp ? (await this.adminCall((a) => a.listTopics())).filter((t) => topics.test(t)) : [...topics];
    if (names.length === 0) return [];
    const committed = new Map<string, number>();
    for (const entry of await this.adminCall((a) => a.fetchOffsets({ groupId: group, topics: names }))) {
      for (const p of entry.partitions) if (Number(p.offset) >= 0) committed.set(partitionKey(entry.topic, p.partition), Number(p.offset));
    }
    const ranges: PartitionRange[] = [];
    for (const topic of names) {
      for (const o of await this.adminCall((a) => a.fetchTopicOffsets(topic))) {
        const range = { topic, partition: o.partition, low: Number(o.low), high: Number(o.high) };
        ranges.push({ ...range, committed: committed.get(partitionKey(topic, o.partition)) ?? null });
      }
    }
    return ranges;
  }

  next(): Promise<ConsumedBatch> {
    return this.buffer.take();
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    const current = offsets.filter((o) => this.table.isCurrent(o));
    if (current.length === 0 || this.consumer === undefined) return;
    try {
      await this.consumer.commitOffsets(current.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
      for (const o of current) {
        const part = this.table.get(o.topic, o.partition);
        if (part?.epoch === o.epoch) part.committed = o.offset;
      }
    } catch (error) {
      // A later commit supersedes this one; if none comes, the records are delivered again.
      this.log.warn({ group: this.options.group, err: errorMessage(error) }, 'kafka offset commit failed');
    }
  }

  pause(): void {
    this.userPaused = true;
    this.applyPause();
  }

  resume(): void {
    this.userPaused = false;
    this.applyPause();
  }

  status(): PartitionStatus[] {
    return this.table.status(() => this.autoPaused || this.userPaused);
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    clearInterval(this.patternTimer);
    this.buffer.fail(new Error('kafka consumer closed'));
    await this.consumer?.disconnect().catch(() => undefined);
    await Promise.allSettled(this.adminCalls);
    await this.admin?.disconnect().catch(() => undefined);
  }

  /** The existing topics that match `pattern`, warning when none does. */
  private async matching(pattern: RegExp): Promise<string[]> {
    const names = (await this.adminCall((a) => a.listTopics())).filter((t) => pattern.test(t));
    if (names.length === 0) this.log.warn({ group: this.options.group, topicPattern: pattern.source, refreshMs: this.options.topicRefreshMs }, 'topicPattern matches no topic yet');
    return names;
  }

  /**
   * Lists the topics every `topicRefreshMs`; when new ones match, the consumer ends with
   * NotConnected, so the source reconnects and subscribes to them as well (kafkajs cannot add
   * topics to a running consumer). Only what was acknowledged is committed, so nothing is lost.
   */
  private watchPattern(pattern: RegExp, subscribed: ReadonlySet<string>): void {
    this.patternTimer = setInterval(() => {
      void this.adminCall((a) => a.listTopics()).then(
        (all) => {
          const added = all.filter((t) => pattern.test(t) && !subscribed.has(t));
          if (added.length === 0 || this.closed) return;
          this.log.info({ group: this.options.group, added }, 'new topics match topicPattern: subscribing to them');
          this.buffer.fail(new NotConnected(`new topics match the pattern: ${added.join(', ')}`));
        },
        () => undefined, // listed again at the next tick
      );
    }, this.options.topicRefreshMs);
    this.patternTimer.unref();
  }

  /** Runs one admin request, tracked so {@link disconnect} can wait for it; refused once closed. */
  private adminCall<T>(call: (admin: Admin) => Promise<T>): Promise<T> {
    if (this.admin === undefined || this.closed) return Promise.reject(new Error('kafka consumer closed'));
    const pending = call(this.admin);
    this.adminCalls.add(pending);
    void pending.then(
      () => this.adminCalls.delete(pending),
      () => this.adminCalls.delete(pending),
    );
    return pending;
  }

  private async onBatch({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const part = this.table.get(batch.topic, batch.partition);
    if (!isRunning() || isStale() || part === undefined || this.resetting.has(partitionKey(batch.topic, batch.partition))) return;
    // Only what fits in the buffer is taken (at least one message when it is empty); kafkajs
    // fetches the rest again from the resolved offset, so the buffer limits hold.
    const room = this.buffer.room;
    const size = this.buffer.size;
    const messages: ConsumedMessage[] = [];
    let bytes = 0;
    // After a rebalance kafkajs fetches a partition this member kept from its committed offset
    // again; what was already taken (below `position`) is in flight or acknowledged: skipped.
    const from = part.position ?? -1;
    let all = true;
    for (const m of batch.messages) {
      if (Number(m.offset) < from) continue;
      const b = (m.value?.length ?? 0) + (m.key?.length ?? 0);
      const first = messages.length === 0 && size.records === 0;
      if (!first && (messages.length >= room.records || bytes + b > room.bytes)) {
        all = false;
        break;
      }
      messages.push(toConsumed(m));
      bytes += b;
    }
    const last = messages[messages.length - 1];
    if (last === undefined) {
      if (all) resolveOffset(batch.lastOffset());
      return;
    }
    part.position = last.offset + 1;
    part.highWatermark = Number(batch.highWatermark);
    this.buffer.push({ topic: batch.topic, partition: batch.partition, epoch: part.epoch, messages, highWatermark: part.highWatermark });
    // Resolving only moves kafkajs' fetch position; the group's offset moves on commit().
    resolveOffset(all ? batch.lastOffset() : String(last.offset));
  }

  private onAssignment(assignment: IMemberAssignment): void {
    const list = Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
    // Partitions this member keeps keep their epoch and position: their records in flight stay
    // committable, and what is buffered for them stays; only revoked partitions' batches go.
    this.table.assign(list, true);
    this.resetting.clear();
    const dropped = this.buffer.drop((b) => this.table.get(b.topic, b.partition)?.epoch === b.epoch);
    this.log.info({ group: this.options.group, assigned: list.map((p) => partitionKey(p.topic, p.partition)), dropped }, 'kafka partitions assigned');
    this.applyPause();
    void this.loadCommitted();
  }

  private setAutoPause(paused: boolean): void {
    this.autoPaused = paused;
    this.applyPause();
  }

  /** Pauses (or resumes) the assigned partitions, each once; a partition assigned later is paused when it arrives. */
  private applyPause(): void {
    if (this.consumer === undefined || this.closed) return;
    const pause = this.autoPaused || this.userPaused;
    try {
      if (pause) {
        const added = this.table.all().filter((p) => !this.pausedPartitions.has(partitionKey(p.topic, p.partition)));
        for (const p of added) this.pausedPartitions.set(partitionKey(p.topic, p.partition), p);
        for (const [topic, partitions] of byTopic(added)) this.consumer.pause([{ topic, partitions }]);
      } else if (this.pausedPartitions.size > 0) {
        const all = [...this.pausedPartitions.values()];
        this.pausedPartitions.clear();
        for (const [topic, partitions] of byTopic(all)) this.consumer.resume([{ topic, partitions }]);
      }
    } catch (error) {
      this.log.debug({ err: errorMessage(error) }, 'kafka pause/resume before the consumer runs');
    }
  }

  private onKafkaLog(entry: LogEntry): void {
    if (entry.namespace !== 'ConsumerGroup' || entry.log.message !== OUT_OF_RANGE_LOG) return;
    const topic = String(entry.log['topic']);
    const partition = Number(entry.log['partition']);
    if (this.options.offsetOutOfRange === 'fail') {
      this.outOfRange ??= { topic, partition };
      throw kafkajsStop(`offset out of range on ${topic}/${partition}`, false);
    }
    const key = partitionKey(topic, partition);
    if (!this.resetting.has(key)) {
      this.resetting.add(key);
      void this.seekTo(topic, partition, this.options.offsetOutOfRange);
    }
    throw kafkajsStop(`offset out of range on ${topic}/${partition}: seeking ${this.options.offsetOutOfRange}`, true);
  }

  private async seekTo(topic: string, partition: number, where: 'earliest' | 'latest'): Promise<void> {
    try {
      const range = await this.watermarks(topic, partition);
      const offset = where === 'earliest' ? range.low : range.high;
      const from = this.table.get(topic, partition)?.position ?? this.table.get(topic, partition)?.committed ?? null;
      this.log.warn({ topic, partition, from, to: offset, ...range }, `offset out of range: continuing from the ${where} offset as configured`);
      const part = this.table.get(topic, partition);
      if (part !== undefined) part.position = offset;
      this.consumer?.seek({ topic, partition, offset: String(offset) });
    } catch (error) {
      this.buffer.fail(asNotConnected(error, this.transport.brokers));
    } finally {
      this.resetting.delete(partitionKey(topic, partition));
    }
  }

  private async onCrash(error: Error): Promise<void> {
    if (this.closed) return;
    const oor = this.outOfRange;
    if (oor === undefined) {
      this.buffer.fail(asNotConnected(error, this.transport.brokers));
      return;
    }
    const part = this.table.get(oor.topic, oor.partition);
    const range = await this.watermarks(oor.topic, oor.partition).catch(() => ({ low: null, high: null }));
    const offset = part?.position ?? part?.committed ?? (await this.committedOffset(oor.topic, oor.partition).catch(() => null));
    this.buffer.fail(new OffsetOutOfRangeError(this.options.group, oor.topic, oor.partition, offset, range.low, range.high));
  }

  private async watermarks(topic: string, partition: number): Promise<{ low: number; high: number }> {
    const all = await this.adminCall((admin) => admin.fetchTopicOffsets(topic));
    const p = all.find((o) => o.partition === partition);
    if (p === undefined) throw new Error(`no partition ${topic}/${partition}`);
    return { low: Number(p.low), high: Number(p.high) };
  }

  private async committedOffset(topic: string, partition: number): Promise<number | null> {
    const [entry] = await this.adminCall((admin) => admin.fetchOffsets({ groupId: this.options.group, topics: [topic] }));
    const offset = Number(entry?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
    return offset >= 0 ? offset : null;
  }

  private async loadCommitted(): Promise<void> {
    const topics = this.table.topics();
    if (topics.length === 0) return;
    try {
      for (const entry of await this.adminCall((admin) => admin.fetchOffsets({ groupId: this.options.group, topics }))) {
        for (const p of entry.partitions) {
          const part = this.table.get(entry.topic, p.partition);
          if (part !== undefined && part.committed === null && Number(p.offset) >= 0) part.committed = Number(p.offset);
        }
      }
      await this.refreshWatermarks();
    } catch (error) {
      this.log.debug({ err: errorMessage(error) }, 'could not load committed offsets for status');
    }
  }

  private async refreshWatermarks(): Promise<void> {
    for (const topic of this.table.topics()) {
      const offsets = await this.adminCall((admin) => admin.fetchTopicOffsets(topic)).catch(() => []);
      for (const o of offsets) {
        const part = this.table.get(topic, o.partition);
        if (part !== undefined) part.highWatermark = Number(o.high);
      }
    }
  }
}
