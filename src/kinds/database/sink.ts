import type { z } from 'zod';
import type { DeadRecord } from '../../actors/io.js';
import { defineSink } from '../../actors/kind.js';
import { databaseSinkConfig } from './config.js';
import { createDatabase } from '../../db/open-database.js';
import { toRow, type EventRow } from '../../db/event-row.js';

/**
 * The `database` sink: parsed log records (docs/decisions/log-pipeline.md) become rows
 * `(file, line, ts, day, app, event, user, fields)` keyed by `(file, line)`.
 *
 * Delivery: at-least-once in, exactly-once in the table. A batch is one transaction, acked only
 * after its commit; a redelivered batch (after a crash or a lost connection) inserts nothing
 * twice because stored keys are skipped. Records that do not fit the schema are dead-lettered
 * with the reason while the rest of the batch is stored. A lost or refused connection throws
 * `NotConnected` (the replica backs off and reconnects; the batch waits); any other SQL error
 * crashes the replica (restart, redelivery, dead-lettered after `retry.maxAttempts`).
 * Replicas each hold their own connection (SQLite) or pool (MariaDB) and may write concurrently.
 *
 * @example
 * ```yaml
 * sinks:
 *   db:
 *     kind: database
 *     inputs: [parse]
 *     replicas: 2
 *     engine: { type: mysql, url: 'mysql://millrace:${DB_PASSWORD}@127.0.0.1:3306/millrace' }
 *     table: events
 * ```
 */
export const databaseKind = defineSink({
  name: 'database',
  example: { engine: { type: 'sqlite', path: 'data/millrace.db' } },
  description: 'Stores parsed log records in SQLite or MariaDB/MySQL, idempotently by (file, line).',
  config: databaseSinkConfig,
  delivery: {
    guarantee: 'idempotent',
    detail: 'Rows are keyed by (file, line) and inserts ignore rows already stored, so a batch redelivered after any crash (of millrace or of the database connection) never doubles a row; a record without file and line is dead-lettered.',
  },
  create(config: z.output<typeof databaseSinkConfig>, ctx) {
    const db = createDatabase(config.engine, config.table, { baseDir: ctx.baseDir });
    let inserted = 0;
    let duplicates = 0;
    let rejected = 0;
    return {
      // With a writer thread, the next batch's rows are built while the thread stores the last;
      // a server stores one batch per pooled connection at once.
      writesInFlight: config.engine.type === 'mysql' ? config.engine.pool : config.engine.writerThread === true ? 2 : 1,
      async connect() {
        await db.connect();
        await db.ensureSchema();
      },
      async write(batch) {
        const rows: EventRow[] = [];
        const dead: DeadRecord[] = [];
        for (const record of batch.records) {
          const result = toRow(record);
          if ('row' in result) rows.push(result.row);
          else dead.push({ record, reason: `database ${config.table}: ${result.reason}` });
        }
        const added = await db.insert(rows);
        inserted += added;
        duplicates += rows.length - added;
        rejected += dead.length;
        return dead.length > 0 ? { dead } : undefined;
      },
      async close() {
        await db.close();
      },
      status() {
        return { engine: db.engine, table: config.table, inserted, duplicates, rejected };
      },
    };
  },
});
