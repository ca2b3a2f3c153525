import { z } from 'zod';

const MiB = 1024 * 1024;

/** fsync policy: `interval` trades up to `intervalMs` of data for throughput; `batch` fsyncs before acknowledging. */
export const FsyncPolicySchema = z
  .discriminatedUnion('mode', [
    z
      .strictObject({
        mode: z.literal('interval').describe('fsync dirty partitions on a timer; appends resolve once written to the OS'),
        intervalMs: z
          .number()
          .int()
          .positive()
          .default(500)
          .describe('how often dirty partitions are fsynced, in milliseconds'),
      })
      .describe('periodic fsync'),
    z
      .strictObject({
        mode: z.literal('batch').describe('every append resolves only after an fsync covering it (group commit)'),
      })
      .describe('fsync before acknowledging'),
  ])
  .describe('durability policy for appended records');

/** Retention policy: whole closed segments are deleted, oldest first. */
export const RetentionPolicySchema = z
  .strictObject({
    bytes: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('upper bound on bytes kept per partition; oldest closed segments are deleted while the partition is larger (null = unlimited)'),
    ms: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('segments whose newest record timestamp is older than this are deleted (null = keep forever)'),
    checkIntervalMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe('how often retention runs in the background, in milliseconds'),
  })
  .describe('retention by size and age');

/**
 * Configuration of {@link EmbeddedLog}. Unknown keys are rejected.
 *
 * @example
 * ```ts
 * const config = EmbeddedLogConfigSchema.parse({ dir: '/var/lib/millrace/log', fsync: { mode: 'batch' } });
 * ```
 */
export const EmbeddedLogConfigSchema = z
  .strictObject({
    dir: z.string().min(1).describe('root directory holding topics, segments and consumer offsets'),
    segmentBytes: z
      .number()
      .int()
      .min(4096)
      .max(1024 * MiB)
      .default(64 * MiB)
      .describe('a new segment is started when an append would grow the active one past this size'),
    indexIntervalBytes: z
      .number()
      .int()
      .min(256)
      .default(4096)
      .describe('one sparse index entry is kept per this many bytes of segment data'),
    maxRecordBytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * MiB)
      .default(16 * MiB)
      .describe('largest encoded record frame accepted; also bounds frame lengths trusted during recovery'),
    fsync: FsyncPolicySchema.default({ mode: 'interval', intervalMs: 500 }),
    retention: RetentionPolicySchema.default({ bytes: null, ms: null, checkIntervalMs: 30_000 }),
  })
  .describe('embedded durable log configuration');

/** Configuration as accepted by {@link EmbeddedLog.open} (defaults optional). */
export type EmbeddedLogConfigInput = z.input<typeof EmbeddedLogConfigSchema>;
/** Configuration after defaults are applied. */
export type EmbeddedLogConfig = z.output<typeof EmbeddedLogConfigSchema>;
/** Resolved fsync policy. */
export type FsyncPolicy = z.output<typeof FsyncPolicySchema>;
/** Resolved retention policy. */
export type RetentionPolicy = z.output<typeof RetentionPolicySchema>;
