/**
 * Typed errors thrown by the embedded log. Every error carries a stable
 * `code` so callers can branch without `instanceof` across module copies.
 */

/** Base class of every error the embedded log throws on purpose. */
export class EmbeddedLogError extends Error {
  /** Stable machine-readable error code. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A read asked for an offset outside `[logStartOffset, highWatermark]`.
 * The log never silently jumps to the nearest valid offset: the consumer
 * decides (reset to earliest/latest) using the range carried here.
 *
 * @example
 * ```ts
 * try { await log.read('events', 0, 0); }
 * catch (e) { if (e instanceof OffsetOutOfRange) offset = e.logStartOffset; }
 * ```
 */
export class OffsetOutOfRange extends EmbeddedLogError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    /** The offset that was asked for. */
    readonly requested: number,
    /** First readable offset (inclusive). */
    readonly logStartOffset: number,
    /** Next offset to be assigned (exclusive end of the readable range). */
    readonly highWatermark: number,
  ) {
    super(
      'OFFSET_OUT_OF_RANGE',
      `offset ${requested} is out of range for ${topic}/${partition}: ` +
        `valid range is [${logStartOffset}, ${highWatermark}]`,
    );
  }
}

/** The topic (or the partition number within it) does not exist. */
export class UnknownTopicOrPartition extends EmbeddedLogError {
  constructor(
    readonly topic: string,
    readonly partition?: number,
  ) {
    super(
      'UNKNOWN_TOPIC_OR_PARTITION',
      partition === undefined
        ? `unknown topic ${JSON.stringify(topic)}`
        : `unknown partition ${topic}/${partition}`,
    );
  }
}

/** `createTopic` was called for an existing topic with a different partition count. */
export class TopicExists extends EmbeddedLogError {
  constructor(
    readonly topic: string,
    readonly existingPartitions: number,
  ) {
    super('TOPIC_EXISTS', `topic ${topic} already exists with ${existingPartitions} partitions`);
  }
}

/** A record or batch is malformed or exceeds `maxRecordBytes`. */
export class InvalidRecord extends EmbeddedLogError {
  constructor(message: string) {
    super('INVALID_RECORD', message);
  }
}

/** Operation on a log that was closed. */
export class LogClosed extends EmbeddedLogError {
  constructor() {
    super('LOG_CLOSED', 'the embedded log is closed');
  }
}

/**
 * A write or fsync failed. The partition refuses further appends because
 * the on-disk state is unknown (a failed fsync cannot be retried safely);
 * reopening the log runs recovery and clears this state.
 */
export class PartitionFailed extends EmbeddedLogError {
  constructor(topic: string, partition: number, cause: unknown) {
    super('PARTITION_FAILED', `partition ${topic}/${partition} failed: ${String(cause)}`, { cause });
  }
}

/** Another process (or another instance in this process) holds the directory lock. */
export class LogLocked extends EmbeddedLogError {
  constructor(dir: string, pid: number) {
    super('LOG_LOCKED', `log directory ${dir} is locked by pid ${pid}`);
  }
}

/** A frame inside the readable range failed its CRC or framing check (disk damage). */
export class CorruptRecord extends EmbeddedLogError {
  constructor(topic: string, partition: number, offset: number, reason: string) {
    super('CORRUPT_RECORD', `corrupt record in ${topic}/${partition} at or after offset ${offset}: ${reason}`);
  }
}

/** An argument (topic name, group id, offset, limit) is malformed. */
export class InvalidArgument extends EmbeddedLogError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}
