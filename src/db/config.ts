import { z } from 'zod';

/** Whether the sink keeps the app/day summary the report reads (see src/db/app-day-summary.ts); either engine. */
const summarySetting = z
  .boolean()
  .default(true)
  .describe(
    'Keep the per app/day summary (event counts, the set of distinct users) in the transaction of each batch, so `millrace report` reads it instead of scanning every row (SQLite: 1-2 ms instead of 2 s per million rows, for about a third of the insert rate; docs/decisions/log-pipeline.md). false: the report scans, and summary tables left from earlier runs are dropped (they would go stale). Every writer of one table must agree.',
  );

export const sqliteEngineConfig = z
  .strictObject({
    type: z.literal('sqlite').describe('Embedded SQLite database file (better-sqlite3).'),
    path: z.string().min(1).default('data/millrace.db').describe('Database file, relative to the topology file; its directory is created.'),
    synchronous: z
      .enum(['normal', 'full'])
      .default('normal')
      .describe(
        'normal: in WAL mode a commit survives a process crash but the last commits may be lost on power failure or an OS crash (the file stays consistent); full: fsync on every commit, slower.',
      ),
    busyTimeoutMs: z.number().int().nonnegative().default(5000).describe('How long a writer waits for another connection\'s lock before the write fails (and is retried).'),
    writerThread: z
      .boolean()
      .optional()
      .describe('true: run the inserts on a thread of their own, so the B-tree work uses another core while the main thread goes on (two batches in flight). Default false (on the main thread): in the 1 GB pipeline benchmark on 2 cores the thread ran 76 s against 72 s without it, for 43% more CPU: the inserts alone keep it busy about 49 s and posting the rows costs the main thread about 7 s; see docs/decisions/runtime-core.md.'),
    summary: summarySetting,
  })
  .describe('SQLite engine.');

export const mysqlEngineConfig = z
  .strictObject({
    type: z.literal('mysql').describe('MariaDB or MySQL server (mysql2).'),
    url: z
      .string()
      .regex(/^(mysql|mariadb):\/\/.+/, 'expected mysql://user:pass@host:port/db')
      .describe('Server URL, mysql://user:pass@host:port/db; use ${VAR} for secrets.'),
    pool: z.number().int().positive().default(4).describe('Connections per replica.'),
    connectTimeoutMs: z.number().int().positive().default(5000).describe('How long a connection attempt may take before it counts as unreachable.'),
    load: z
      .enum(['auto', 'infile', 'insert'])
      .default('auto')
      .describe(
        "How a batch goes in (one transaction either way). auto: infile when the server allows LOAD DATA LOCAL (local_infile ON), else insert. infile: streamed from memory with LOAD DATA LOCAL INFILE straight into the table (stored keys skipped), in one transaction with the summary, the users set loaded the same way (1.3-1.8x the rows/s of insert in bench/database-sink.ts); needs the server's local_infile ON (MariaDB's default; MySQL 8: SET GLOBAL local_infile = 1), and a server with it OFF is refused at connect. insert: multi-row INSERT statements of up to 1000 rows.",
      ),
    summary: summarySetting,
  })
  .describe('MariaDB/MySQL engine.');

export const engineConfig = z
  .discriminatedUnion('type', [sqliteEngineConfig, mysqlEngineConfig])
  .prefault({ type: 'sqlite' })
  .describe('Where the rows go: SQLite (embedded default) or MariaDB/MySQL.');

export type EngineConfig = z.output<typeof engineConfig>;
export type SqliteEngineConfig = z.output<typeof sqliteEngineConfig>;
export type MysqlEngineConfig = z.output<typeof mysqlEngineConfig>;
