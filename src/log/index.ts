/**
 * Embedded durable log: millrace's one-machine stand-in for Kafka.
 * See {@link EmbeddedLog} for the entry point.
 */
export { EmbeddedLog, DEFAULT_READ_LIMITS, type PartitionInfo } from './embedded-log.js';
export {
  EmbeddedLogConfigSchema,
  FsyncPolicySchema,
  RetentionPolicySchema,
  type EmbeddedLogConfig,
  type EmbeddedLogConfigInput,
  type FsyncPolicy,
  type RetentionPolicy,
} from './config.js';
export {
  EmbeddedLogError,
  OffsetOutOfRange,
  UnknownTopicOrPartition,
  TopicExists,
  InvalidRecord,
  InvalidArgument,
  LogClosed,
  LogLocked,
  PartitionFailed,
  CorruptRecord,
} from './errors.js';
export type { LogEntry, StoredEntry } from './entry.js';
export { writeFileAtomic } from './fs-util.js';
export type { AppendResult, FlushedPosition } from './partition-log.js';
export type { ReadLimits, ReadResult } from './partition-reader.js';
export type { PartitionRecovery } from './partition-open.js';
export type { OffsetCommit } from './consumer-offsets.js';
