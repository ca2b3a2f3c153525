import BetterSqlite3 from 'better-sqlite3';
import type { SqliteEngineConfig } from './config.js';
import type { SqlParam } from './database.js';
import { summaryTables, SummaryTally } from './app-day-summary.js';
import { rowColumns, type EventRow } from './event-row.js';

/** Rows per multi-row INSERT: 64 × 8 parameters, far below SQLite's bound-parameter limit. */
const ROWS_PER_STATEMENT = 64;
const COLUMNS = rowColumns.length;
const [APP, DAY, EVENT, USER] = (['app', 'day', 'event', 'user'] as const).map((c) => rowColumns.indexOf(c)) as [number, number, number, number];
/**
 * Page cache per connection, in KiB. SQLite's default (2 MB) thrashes once the table and its
 * index outgrow it: at 2M rows inserts took 35% more CPU and twice the wall time (page reads).
 */
const CACHE_KIB = 64 * 1024;

/** Opens a connection with millrace's settings: busy timeout, page cache, and for writing WAL. */
export function openSqlite(path: string, config: Pick<SqliteEngineConfig, 'busyTimeoutMs' | 'synchronous'>, readonly: boolean): BetterSqlite3.Database {
  const db = new BetterSqlite3(path, { readonly, fileMustExist: readonly });
  db.pragma(`busy_timeout = ${config.busyTimeoutMs}`);
  db.pragma(`cache_size = -${CACHE_KIB}`);
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL syncs at checkpoints, not at every commit: a commit survives a process
    // crash, only an OS crash or power loss can lose the last ones ('full' if that matters).
    db.pragma(`synchronous = ${config.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  }
  return db;
}

/** Rows as one flat list of their column values in {@link rowColumns} order: cheap to post to a thread. */
export function flatRows(rows: readonly EventRow[]): SqlParam[] {
  const flat = new Array<SqlParam>(rows.length * COLUMNS);
  let p = 0;
  for (const r of rows) {
    flat[p++] = r.file;
    flat[p++] = r.line;
    flat[p++] = r.ts;
    flat[p++] = r.day;
    flat[p++] = r.app;
    flat[p++] = r.event;
    flat[p++] = r.user;
    flat[p++] = r.fields;
  }
  return flat;
}

/** The multi-row (64) and single-row `INSERT OR IGNORE` statements of `table`, with `returning` appended. */
function insertStatements<R>(
  db: BetterSqlite3.Database,
  table: string,
  returning: string,
): { many: BetterSqlite3.Statement<[readonly SqlParam[]], R>; one: BetterSqlite3.Statement<[readonly SqlParam[]], R> } {
  const columns = rowColumns.map((c) => `\`${c}\``).join(', ');
  const tuple = `(${rowColumns.map(() => '?').join(', ')})`;
  const sql = (n: number): string => `INSERT OR IGNORE INTO \`${table}\` (${columns}) VALUES ${new Array<string>(n).fill(tuple).join(', ')}${returning}`;
  return { many: db.prepare(sql(ROWS_PER_STATEMENT)), one: db.prepare(sql(1)) };
}

/** `each` over flat rows cut into statements of 64 rows (`multi`) and then single rows. */
function statements<T>(flat: readonly SqlParam[], each: (chunk: readonly SqlParam[], multi: boolean) => T): T[] {
  const span = ROWS_PER_STATEMENT * COLUMNS;
  const out: T[] = [];
  let at = 0;
  for (; at + span <= flat.length; at += span) out.push(each(flat.slice(at, at + span), true));
  for (; at < flat.length; at += COLUMNS) out.push(each(flat.slice(at, at + COLUMNS), false));
  return out;
}

/**
 * A function storing flat rows (see {@link flatRows}) in one IMMEDIATE transaction with
 * `INSERT OR IGNORE`, returning how many were new; with `keepSummary`, adding those new rows to
 * the app/day summary (see app-day-summary.ts) in the same transaction, so rows already stored
 * (a replay) count once. Multi-row statements of 64 rows take about 5% less CPU per row than
 * one statement per row; IMMEDIATE takes the write lock up front, so two writers never deadlock
 * upgrading a read lock.
 */
export function flatInserter(db: BetterSqlite3.Database, table: string, keepSummary: boolean): (flat: readonly SqlParam[]) => number {
  const insert = insertStatements<unknown>(db, table, '');
  const store = (flat: readonly SqlParam[]): number => statements(flat, (chunk, multi) => (multi ? insert.many : insert.one).run(chunk).changes).reduce((a, b) => a + b, 0);
  const transaction = db.transaction(keepSummary ? summarising(db, table, store) : store);
  return (flat) => (flat.length === 0 ? 0 : transaction.immediate(flat));
}

/**
 * `store`, then the summary of the rows that were new. Usually every row is new: the rows go in
 * under a savepoint and are tallied from the input. When some were stored already, the savepoint
 * is rolled back and the rows go in again with `RETURNING`, which names exactly the new ones
 * (`RETURNING` on every insert cost 37% of the insert rate).
 */
function summarising(db: BetterSqlite3.Database, table: string, store: (flat: readonly SqlParam[]) => number): (flat: readonly SqlParam[]) => number {
  const returning = insertStatements<NewRow>(db, table, ' RETURNING `app`, `day`, `event`, `user`');
  const savepoint = db.prepare('SAVEPOINT millrace_rows');
  const release = db.prepare('RELEASE millrace_rows');
  const rollback = db.prepare('ROLLBACK TO millrace_rows');
  const summary = summaryTables(table);
  const count = db.prepare<[string, string, string, number]>(
    `INSERT INTO \`${summary.counts}\` (\`app\`, \`day\`, \`event\`, \`n\`) VALUES (?, ?, ?, ?)
     ON CONFLICT (\`app\`, \`day\`, \`event\`) DO UPDATE SET \`n\` = \`n\` + excluded.\`n\``,
  );
  const user = db.prepare<[string, string, string]>(`INSERT OR IGNORE INTO \`${summary.users}\` (\`app\`, \`day\`, \`user\`) VALUES (?, ?, ?)`);
  return (flat) => {
    const tally = new SummaryTally();
    savepoint.run();
    let inserted = store(flat);
    if (inserted * COLUMNS === flat.length) {
      release.run();
      for (let at = 0; at < flat.length; at += COLUMNS) tally.add(flat[at + APP] as string, flat[at + DAY] as string, flat[at + EVENT] as string, flat[at + USER] as string | null);
    } else {
      rollback.run();
      release.run();
      inserted = 0;
      for (const added of statements(flat, (chunk, multi) => (multi ? returning.many : returning.one).all(chunk))) {
        inserted += added.length;
        for (const r of added) tally.add(r.app, r.day, r.event, r.user);
      }
    }
    for (const c of tally.countRows()) count.run(c.app, c.day, c.event, c.n);
    for (const u of tally.userRows()) user.run(u.app, u.day, u.user);
    return inserted;
  };
}

/** A row `RETURNING` names as new: what the summary needs of it. */
interface NewRow {
  app: string;
  day: string;
  event: string;
  user: string | null;
}

/**
 * Creates the rows' table when missing and, with `keepSummary`, its summary tables. Summary
 * tables added to a table that already has rows (a database from before the summary, or one
 * written with `summary: false`) are filled from those rows, in the same IMMEDIATE transaction,
 * so no writer adds rows between the backfill and the first update. Without `keepSummary`,
 * summary tables from earlier runs are dropped: nothing would keep them current.
 */
export function ensureSqliteSchema(db: BetterSqlite3.Database, table: string, keepSummary: boolean): void {
  const summary = summaryTables(table);
  db.transaction(() => {
    db.exec(
      `CREATE TABLE IF NOT EXISTS \`${table}\` (
        \`file\` TEXT NOT NULL, \`line\` INTEGER NOT NULL, \`ts\` TEXT NOT NULL, \`day\` TEXT NOT NULL,
        \`app\` TEXT NOT NULL, \`event\` TEXT NOT NULL, \`user\` TEXT, \`fields\` TEXT NOT NULL,
        PRIMARY KEY (\`file\`, \`line\`)
      ) WITHOUT ROWID;`,
    );
    if (!keepSummary) {
      db.exec(`DROP TABLE IF EXISTS \`${summary.counts}\`; DROP TABLE IF EXISTS \`${summary.users}\`;`);
      return;
    }
    if (hasTable(db, summary.counts)) return;
    db.exec(
      `DROP TABLE IF EXISTS \`${summary.users}\`;
      CREATE TABLE \`${summary.counts}\` (
        \`app\` TEXT NOT NULL, \`day\` TEXT NOT NULL, \`event\` TEXT NOT NULL, \`n\` INTEGER NOT NULL,
        PRIMARY KEY (\`app\`, \`day\`, \`event\`)
      ) WITHOUT ROWID;
      CREATE TABLE \`${summary.users}\` (
        \`app\` TEXT NOT NULL, \`day\` TEXT NOT NULL, \`user\` TEXT NOT NULL,
        PRIMARY KEY (\`app\`, \`day\`, \`user\`)
      ) WITHOUT ROWID;
      INSERT INTO \`${summary.counts}\` SELECT \`app\`, \`day\`, \`event\`, COUNT(*) FROM \`${table}\` GROUP BY \`app\`, \`day\`, \`event\`;
      INSERT INTO \`${summary.users}\` SELECT DISTINCT \`app\`, \`day\`, \`user\` FROM \`${table}\` WHERE \`user\` IS NOT NULL;`,
    );
  }).immediate();
}

/** Whether `name` is a table of `db`. */
export function hasTable(db: BetterSqlite3.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}
