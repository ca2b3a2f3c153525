import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteEngineConfig } from './config.js';
import type { Database, OpenOptions, SqlParam } from './database.js';
import type { EventRow } from './event-row.js';
import { ensureSqliteSchema, flatInserter, flatRows, hasTable, openSqlite } from './sqlite-insert.js';
import { summaryTables, type SummaryTables } from './app-day-summary.js';
import { SqliteWriterThread } from './sqlite-thread.js';

/**
 * SQLite through better-sqlite3, one connection per instance (per sink replica) for the schema
 * and queries (and the inserts), or with `writerThread` a second one on a thread of its own for
 * the inserts (see sqlite-thread.ts). WAL lets readers (reports) run beside the writer, and writers of
 * other replicas or processes wait up to `busyTimeoutMs` for the lock. A batch is one transaction
 * and `insert` resolves after its commit, on either path.
 */
export class SqliteDatabase implements Database {
  readonly engine = 'sqlite';
  readonly path: string;
  private db: BetterSqlite3.Database | undefined;
  private insertFlat: ((flat: readonly SqlParam[]) => number) | undefined;
  private writer: SqliteWriterThread | undefined;

  constructor(
    private readonly config: SqliteEngineConfig,
    readonly table: string,
    private readonly options: OpenOptions,
  ) {
    this.path = resolve(options.baseDir, config.path);
  }

  async connect(): Promise<void> {
    if (this.db !== undefined) return;
    const readonly = this.options.readonly === true;
    if (!readonly) mkdirSync(dirname(this.path), { recursive: true });
    this.db = openSqlite(this.path, this.config, readonly);
    if (readonly || this.config.writerThread !== true) return;
    const writer = new SqliteWriterThread({ path: this.path, table: this.table, busyTimeoutMs: this.config.busyTimeoutMs, synchronous: this.config.synchronous, summary: this.config.summary });
    this.writer = writer;
    try {
      await writer.ready;
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async ensureSchema(): Promise<void> {
    ensureSqliteSchema(this.open(), this.table, this.config.summary);
  }

  async summary(): Promise<SummaryTables | undefined> {
    const tables = summaryTables(this.table);
    return hasTable(this.open(), tables.counts) ? tables : undefined;
  }

  async insert(rows: readonly EventRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const db = this.open();
    if (this.writer !== undefined) return this.writer.insert(flatRows(rows));
    this.insertFlat ??= flatInserter(db, this.table, this.config.summary);
    return this.insertFlat(flatRows(rows));
  }

  async query(sql: string, params: readonly SqlParam[] = []): Promise<Record<string, unknown>[]> {
    return this.open().prepare(sql).all(...params) as Record<string, unknown>[];
  }

  async close(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    await writer?.close();
    this.db?.close();
    this.db = undefined;
    this.insertFlat = undefined;
  }

  private open(): BetterSqlite3.Database {
    if (this.db === undefined) throw new Error(`sqlite database ${this.path} is not open`);
    return this.db;
  }
}
