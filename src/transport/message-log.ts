/**
 * The message-log contract `kafka` sources and sinks code against, with two implementations:
 * Apache Kafka through kafkajs ({@link ../transport/kafka-log.js}) and the embedded durable log
 * ({@link ../transport/embedded-message-log.js}). Offsets are plain numbers (Kafka's int64 offsets
 * stay far below 2^53 in practice).
 */

import type { TextOrBytes } from '../core/text-or-bytes.js';
import type { PartitionPlacement } from './slow-partitions.js';

/** One message to append. */
export interface OutgoingMessage {
  /** Partitioning key: Kafka's default murmur2 partitioner picks the partition from it. */
  key?: TextOrBytes;
  value: Buffer;
  headers?: Record<string, TextOrBytes>;
  /** Event time, ms since the epoch. */
  timestamp?: number;
  /** The partition to write to, instead of one chosen from the key (a mirror keeps the source's). */
  partition?: number;
}

/** Partitions that unkeyed records avoid, per topic (the kafka sink's lag blacklist). */
export interface PartitionExclusions {
  excluded(topic: string): ReadonlySet<number>;
}

/** How a producer writes. */
export interface ProducerOptions {
  /** `-1` waits for every in-sync replica, `1` for the leader only. */
  acks: -1 | 1;
  idempotent: boolean;
  compression: 'none' | 'gzip' | 'lz4';
  /** How long a send is retried (broker restarting, leader moving) before it fails as NotConnected. */
  deliveryTimeoutMs: number;
  /** Kafka only: partitions left out of the rotation of unkeyed records (never all of a topic's). */
  exclusions?: PartitionExclusions;
  /** Chooses partitions and hears how each produce request went (Kafka only); default: sticky round-robin over partitions with a leader. */
  placement?: PartitionPlacement;
}

/** Appends batches of messages to topics. One send in flight at a time per producer. */
export interface LogProducer {
  connect(): Promise<void>;
  /** Resolves once every message is acknowledged by the log; rejects with NotConnected when it is unreachable. */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  disconnect(): Promise<void>;
  /** While a send is being retried (broker down, leader moving): since when and why. */
  retrying?(): { since: number; reason: string } | undefined;
}

/** One consumed message. */
export interface ConsumedMessage {
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Text when valid UTF-8, else the bytes (see {@link ../core/text-or-bytes.js}). */
  headers: Record<string, TextOrBytes>;
  timestamp: number;
}

/**
 * Messages of one partition, in offset order. `epoch` counts this consumer's assignments of the
 * partition: a commit carrying an older epoch is for an assignment that was revoked since.
 */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  epoch: number;
  messages: ConsumedMessage[];
  /** Offset the next appended message of the partition gets, when the batch was fetched. */
  highWatermark: number;
}

/** The next offset to consume of one partition, as read under one assignment epoch. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
  epoch: number;
}

/** What a consumer group member is configured with. */
export interface ConsumerOptions {
  group: string;
  /** Topic names, or a pattern matched against the topics that exist, listed again every `topicRefreshMs`. */
  topics: readonly string[] | RegExp;
  /** With a pattern: how often the topics are listed again, so topics created later are consumed too. */
  topicRefreshMs: number;
  /** Where a partition with no committed offset for the group starts. */
  start: 'earliest' | 'latest';
  /** What to do when the committed or fetched offset is outside the partition's retained range. */
  offsetOutOfRange: 'fail' | 'earliest' | 'latest';
  /** Fetched records buffered before the consumer pauses its partitions. */
  maxBufferedRecords: number;
  /** Fetched bytes buffered before the consumer pauses its partitions. */
  maxBufferedBytes: number;
  /** A member silent for this long leaves the group and its partitions are reassigned (Kafka only). */
  sessionTimeoutMs: number;
  /** Compressed bytes asked of each partition per fetch (Kafka only; a larger first batch still comes whole). */
  fetchBytesPerPartition: number;
}

/** Live view of one assigned partition. */
export interface PartitionStatus {
  topic: string;
  partition: number;
  /** Next offset to fetch (records before it are buffered or handed to the reader). */
  position: number | null;
  /** Last committed offset of the group. */
  committed: number | null;
  highWatermark: number | null;
  /** highWatermark - committed (what the group still has to acknowledge). */
  lag: number | null;
  paused: boolean;
}

/**
 * A member of a consumer group. Auto-commit is off: only {@link commit} moves the group's offsets.
 * Fetched batches wait in a bounded buffer; when it is full the partitions are paused, and
 * resumed once the reader has taken half of it, so memory stays bounded when the reader stalls.
 */
/** A partition's extent as read at one moment, with the group's committed offset then. */
export interface PartitionRange {
  topic: string;
  partition: number;
  /** First offset still in the log. */
  low: number;
  /** Offset the next appended record gets. */
  high: number;
  committed: number | null;
}

export interface LogConsumer {
  connect(): Promise<void>;
  /** Every partition of the subscribed topics (a pattern matched now), as they are now. After connect. */
  ranges(): Promise<PartitionRange[]>;
  /**
   * The next batch of an assigned partition; waits for one. Rejects with NotConnected when the log
   * is unreachable, and with the consumer's fatal error (offset out of range under `fail`).
   */
  next(): Promise<ConsumedBatch>;
  /** Commits offsets; entries for partitions no longer assigned, or from an older epoch, are skipped. */
  commit(offsets: readonly PartitionOffset[]): Promise<void>;
  /** Stops and restarts fetching of every assigned partition (on top of the automatic pausing). */
  pause(): void;
  resume(): void;
  status(): PartitionStatus[];
  /** Leaves the group; a pending {@link next} rejects. */
  disconnect(): Promise<void>;
}

/** What a topic is made with: its partition count and the configs set on it (not the defaults). */
export interface TopicSpec {
  partitions: number;
  configs: Record<string, string>;
}

/** Topics as a mirror needs them: their specs, creation, and reading a partition at an offset. */
export interface TopicAdmin {
  /** The topic's spec, or undefined when it does not exist. */
  describe(topic: string): Promise<TopicSpec | undefined>;
  createTopic(topic: string, spec: TopicSpec): Promise<void>;
  /**
   * Makes an existing topic follow `spec`: partitions added up to its count (never removed) and
   * the configs set on the topic replaced by its configs (set, changed, and removed alike).
   */
  follow(topic: string, spec: TopicSpec): Promise<void>;
  /** The partition's retained offsets: first still in the log, and the next to be appended. */
  range(topic: string, partition: number): Promise<{ low: number; high: number }>;
  /** Messages from `offset` on, in order (at least one when the partition has one there). */
  read(topic: string, partition: number, offset: number): Promise<ConsumedMessage[]>;
  close(): Promise<void>;
}

/** A message log: Kafka or the embedded log. */
export interface MessageLog {
  readonly kind: 'kafka' | 'embedded';
  producer(options: ProducerOptions): LogProducer;
  consumer(options: ConsumerOptions): LogConsumer;
  admin(): TopicAdmin;
}
