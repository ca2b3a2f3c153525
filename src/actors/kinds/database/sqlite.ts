import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { SqliteEngineConfig } from './config.js';
import type { Database, OpenOptions, SqlParam } from './database.js';
import { rowColumns, type EventRow } from './row.js';

/** Rows per multi-row INSERT: 64 × 8 parameters, far below SQLite's bound-parameter limit. */
const ROWS_PER_STATEMENT = 64;
/**
 * Page cache per connection, in KiB. SQLite's default (2 MB) thrashes once the table and its
 * index outgrow it: at 2M rows inserts took 35% more CPU and twice the wall time (page reads).
 */
const CACHE_KIB = 64 * 1024;

/**
 * SQLite through better-sqlite3, one connection per instance (per sink replica). WAL lets readers
 * (reports) run beside the writer, and writers of other replicas or processes wait up to
 * `busyTimeoutMs` for the lock. better-sqlite3 is synchronous: a batch's transaction runs to its
 * commit within one call, so `insert` resolves after the commit.
 */
export class SqliteDatabase implements Database {
  readonly engine = 'sqlite';
  readonly path: string;
  private db: BetterSqlite3.Database | undefined;
  private insertMany: BetterSqlite3.Transaction<(rows: readonly EventRow[]) => number> | undefined;

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
    const db = new BetterSqlite3(this.path, { readonly, fileMustExist: readonly });
    db.pragma(`busy_timeout = ${this.config.busyTimeoutMs}`);
    db.pragma(`cache_size = -${CACHE_KIB}`);
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL syncs at checkpoints, not at every commit: a commit survives a process
      // crash, only an OS crash or power loss can lose the last ones ('full' if that matters).
      db.pragma(`synchronous = ${this.config.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    }
    this.db = db;
  }

  async ensureSchema(): Promise<void> {
    const t = this.table;
    this.open().exec(
      `CREATE TABLE IF NOT EXISTS \`${t}\` (
        \`file\` TEXT NOT NULL, \`line\` INTEGER NOT NULL, \`ts\` TEXT NOT NULL, \`day\` TEXT NOT NULL,
        \`app\` TEXT NOT NULL, \`event\` TEXT NOT NULL, \`user\` TEXT, \`fields\` TEXT NOT NULL,
        PRIMARY KEY (\`file\`, \`line\`)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS \`${t}_day_app_event\` ON \`${t}\` (\`day\`, \`app\`, \`event\`);`,
    );
  }

  async insert(rows: readonly EventRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const db = this.open();
    if (this.insertMany === undefined) {
      // Prepared multi-row statements inside one transaction (a single-row one for the rest):
      // about 5% less CPU per row than one statement per row.
      const columns = rowColumns.map((c) => `\`${c}\``).join(', ');
      const tuple = `(${rowColumns.map(() => '?').join(', ')})`;
      const sql = (n: number): string => `INSERT OR IGNORE INTO \`${this.table}\` (${columns}) VALUES ${new Array<string>(n).fill(tuple).join(', ')}`;
      const one = db.prepare(sql(1));
      const many = db.prepare(sql(ROWS_PER_STATEMENT));
      const params = new Array<SqlParam>(ROWS_PER_STATEMENT * rowColumns.length);
      this.insertMany = db.transaction((batch: readonly EventRow[]) => {
        let inserted = 0;
        let i = 0;
        for (; i + ROWS_PER_STATEMENT <= batch.length; i += ROWS_PER_STATEMENT) {
          let p = 0;
          for (let k = i; k < i + ROWS_PER_STATEMENT; k++) {
            const r = batch[k] as EventRow;
            params[p++] = r.file;
            params[p++] = r.line;
            params[p++] = r.ts;
            params[p++] = r.day;
            params[p++] = r.app;
            params[p++] = r.event;
            params[p++] = r.user;
            params[p++] = r.fields;
          }
          inserted += many.run(params).changes;
        }
        for (; i < batch.length; i++) {
          const r = batch[i] as EventRow;
          inserted += one.run(r.file, r.line, r.ts, r.day, r.app, r.event, r.user, r.fields).changes;
        }
        return inserted;
      });
    }
    // IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading a read lock.
    return this.insertMany.immediate(rows);
  }

  async query(sql: string, params: readonly SqlParam[] = []): Promise<Record<string, unknown>[]> {
    return this.open().prepare(sql).all(...params) as Record<string, unknown>[];
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.insertMany = undefined;
  }

  private open(): BetterSqlite3.Database {
    if (this.db === undefined) throw new Error(`sqlite database ${this.path} is not open`);
    return this.db;
  }
}
