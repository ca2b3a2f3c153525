import { z } from 'zod';
import { backendSchema } from '../../stores/config.js';

export const columnTypes = ['string', 'int64', 'double', 'boolean', 'timestamp'] as const;
export type ColumnType = (typeof columnTypes)[number];

const column = z
  .strictObject({
    name: z.string().min(1).describe('Column name in the Parquet schema.'),
    type: z.enum(columnTypes).describe('string, int64, double, boolean or timestamp (ms since the epoch, or an ISO-8601 string; stored as TIMESTAMP_MILLIS UTC).'),
    field: z.string().min(1).optional().describe('Field of the record to read, dot-separated for nested objects (`http.status`); default: the column name.'),
    required: z.boolean().default(false).describe('A record without this field (or with null) is dead-lettered; otherwise the column is null for it.'),
  })
  .describe('One column of the table.');

export const hiveSinkConfig = z
  .strictObject({
    backend: backendSchema,
    table: z.string().min(1).regex(/^[^/].*[^/]$|^[^/]$/, 'a relative path without leading or trailing /').describe('Directory of the table below the backend root; partitions are `<table>/dt=YYYY-MM-DD/hour=HH/`.'),
    columns: z.array(column).min(1).describe('The table schema, in column order. Records are JSON text (or bytes) or already structured.'),
    timeField: z.string().min(1).optional().describe('Field holding the event time that picks the partition (ms since the epoch or ISO-8601); default: the record timestamp. Partitions are in UTC.'),
    compression: z.enum(['snappy', 'zstd']).default('snappy').describe('Parquet compression codec.'),
    commit: z
      .strictObject({
        intervalMs: z.number().int().positive().default(10_000).describe('Longest a written record waits before its file is committed (made visible, source positions recorded, batch acknowledged).'),
        quietMs: z.number().int().nonnegative().default(20).describe('Commit as soon as no batch arrived for this long (the input channel is full or idle).'),
        maxBatches: z.number().int().positive().default(64).describe('Batches held for the next commit; reaching it commits. The sink takes twice this many unacknowledged batches (one commit is written on the encoder thread while the next fills), within its input channel\'s bounds.'),
        fileBytes: z.number().int().positive().default(128 * 1024 * 1024).describe('Roll (commit) when the records held reach this many bytes: the largest file written between commits.'),
      })
      .prefault({})
      .describe('When written rows become visible files: every commit closes one file per partition written since the last one.'),
    partition: z
      .strictObject({
        delayMs: z.number().int().nonnegative().default(0).describe('A partition is committed once the watermark (the latest event time committed) passes its end plus this delay; records arriving for it later are dead-lettered as late.'),
        idleMs: z.number().int().positive().default(3_600_000).describe('...or once no record came for it for this long.'),
        hook: z.array(z.string().min(1)).min(1).optional().describe('Command and arguments run after `_SUCCESS` is written (a metastore update), with HIVE_TABLE, HIVE_PARTITION (`dt=…/hour=…`) and HIVE_PARTITION_DIR in its environment; it must succeed (exit 0) for the partition to count as committed, and must be idempotent (it runs again after a crash between it and the record of the commit).'),
        hookTimeoutMs: z.number().int().positive().default(60_000).describe('The hook is killed and retried after this long.'),
      })
      .prefault({})
      .describe('Partition commit: `_SUCCESS` and the optional hook, once per partition.'),
    compaction: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Merge a committed partition\'s small files into one in the background.'),
        smallBytes: z.number().int().positive().default(64 * 1024 * 1024).describe('Files below this size are merged; a partition with fewer than two is left as it is.'),
      })
      .prefault({})
      .describe('Compaction of small files (atomic: the merged file is visible before the inputs are deleted; a crash between resumes the swap).'),
  })
  .describe('Writes records as Parquet files in a Hive layout, exactly-once across crashes for sources with positions.');

export type HiveSinkConfig = z.output<typeof hiveSinkConfig>;
export type ColumnConfig = HiveSinkConfig['columns'][number];
