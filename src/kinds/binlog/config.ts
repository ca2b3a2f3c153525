import { z } from 'zod';

/** `db.table`, or `db.*` for every table of a database. */
const tableName = /^[^.\s]+\.[^.\s]+$/;

export const binlogSourceConfig = z
  .strictObject({
    url: z
      .string()
      .regex(/^(mysql|mariadb):\/\//, 'expected mysql://user:password@host:port')
      .describe('Server to follow: mysql://user:password@host:port (write `${BINLOG_URL}` to take it from the environment). The user needs REPLICATION SLAVE and REPLICATION CLIENT, and SELECT for `SHOW` checks.'),
    serverId: z
      .number()
      .int()
      .min(1)
      .max(4_294_967_295)
      .default(64_001)
      .describe('Replica server id this source registers with; unique among the replicas of that server.'),
    databases: z.array(z.string().min(1)).optional().describe('Databases whose row changes are read (default: all).'),
    tables: z
      .array(z.string().regex(tableName, 'expected db.table or db.*'))
      .optional()
      .describe('Tables whose row changes are read, as db.table or db.*; with databases, a change must match both.'),
    watch: z
      .string()
      .regex(tableName, 'expected db.table')
      .optional()
      .describe('Watch table (db.table, created when missing; e.g. millrace.millrace_watch): its rows say which fields of which tables the falcon stage meters. Its own row changes, read in the same binlog, update the rules in stream order; each record carries the rules for its table as `watch`.'),
    start: z
      .enum(['current', 'earliest'])
      .default('current')
      .describe('Where a source with no saved position starts: current (the end of the binlog when it first connects) or earliest (the oldest binlog file the server still has).'),
    snapshot: z
      .enum(['never', 'initial'])
      .default('never')
      .describe('initial: a source with no saved position first reads the current rows of the read tables (op `read`) in one consistent snapshot, then follows the binlog from exactly that snapshot\'s position, so nothing is missed or doubled at the seam. A crash before the snapshot\'s last batch is acknowledged redoes the snapshot (its rows can come twice). never: binlog changes only.'),
    heartbeatMs: z
      .number()
      .int()
      .min(100)
      .optional()
      .describe('Every this many ms, a heartbeat record `{ op: heartbeat, database, table, position, gtid }` for each read table without a change in that time (tables named in `tables` and those seen changing), so consumers can advance watermarks on idle tables. Off when unset.'),
    maxBufferedRows: z.number().int().positive().default(20_000).describe('Row changes held before the binlog connection is paused (backpressure).'),
    maxBatchRows: z.number().int().positive().default(1000).describe('Row changes per batch at most, except that a transaction is never split: a larger one is a batch of its own.'),
  })
  .refine((c) => !(c.snapshot === 'initial' && c.start === 'earliest'), {
    message: 'snapshot: initial starts at the snapshot, so it cannot be combined with start: earliest',
    path: ['snapshot'],
  })
  .describe('Row changes of a MariaDB/MySQL server read from its binlog (ROW format), one record per row, committed per transaction after end-to-end acknowledgement.');

export type BinlogSourceConfig = z.output<typeof binlogSourceConfig>;
