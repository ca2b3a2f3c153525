import type mysql from 'mysql2/promise';
import { mysqlDriver } from './mysql-driver.js';
import type { MysqlEngineConfig } from './config.js';
import { classifyConnectionErrors } from './connection-errors.js';
import { summaryTables, SummaryTally, type SummaryTables } from './app-day-summary.js';
import type { Database, SqlParam } from './database.js';
import { rowColumns, type EventRow } from './event-row.js';
import { eventRowsText, loadData, textRowsText } from './mysql-bulk-load.js';

/** Rows per INSERT statement, besides the byte bound. */
const maxRowsPerStatement = 1000;
/** Deadlocks between replicas inserting overlapping keys are retried this often inside one write. */
const deadlockRetries = 3;

/** Worst case UTF-8 bytes of a row in the statement: 3 bytes per UTF-16 unit, doubled for escaping. */
function statementBytes(r: EventRow): number {
  return 64 + 6 * (r.file.length + r.ts.length + r.day.length + r.app.length + r.event.length + (r.user?.length ?? 0) + r.fields.length);
}

/** Splits rows so each INSERT stays under `maxBytes` and {@link maxRowsPerStatement}. */
export function chunkRows(rows: readonly EventRow[], maxBytes: number): EventRow[][] {
  const chunks: EventRow[][] = [];
  let current: EventRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = statementBytes(row);
    if (current.length > 0 && (current.length >= maxRowsPerStatement || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** A binary NO PAD collation for `SELECT VERSION()`: keys stay exact, as in SQLite ('a.log' and 'A.log ' are distinct). */
export function binaryCollation(version: string): string {
  return version.includes('MariaDB') ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

/** Compares composite keys part by part (code unit order: close to the binary collation's, enough to order locks). */
function byKey(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** A deadlock or lock wait timeout: the transaction can be run again. */
export function isDeadlock(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

/**
 * MariaDB/MySQL through a mysql2 connection pool. A batch is one transaction on one pooled
 * connection. With `load: infile` (what `auto` picks when the server allows it) it is streamed in by LOAD DATA LOCAL INFILE
 * (see {@link MysqlBulkLoader}); a batch with keys stored already goes the careful way below.
 * With `load: insert`, multi-row `INSERT ... ON DUPLICATE KEY UPDATE` statements (a no-op update, so a
 * stored (file, line) is left as it is), chunked under half the server's `max_allowed_packet`.
 * Unlike `INSERT IGNORE`, this keeps strict-mode data errors as errors instead of warnings.
 * With `summary`, the app/day summary of the rows that were new is updated in the same
 * transaction (see {@link MysqlDatabase.insertChunk}).
 */
export class MysqlDatabase implements Database {
  readonly engine = 'mysql';
  private pool: mysql.Pool | undefined;
  private maxStatementBytes = 4 * 1024 * 1024;
  /** `engine.load` as resolved against the server at connect. */
  private load: 'infile' | 'insert' = 'insert';

  constructor(
    private readonly config: MysqlEngineConfig,
    readonly table: string,
  ) {}

  async connect(): Promise<void> {
    this.pool ??= mysqlDriver().createPool({
      uri: this.config.url,
      connectionLimit: this.config.pool,
      connectTimeout: this.config.connectTimeoutMs,
      enableKeepAlive: true,
      // Without FOUND_ROWS, affectedRows counts only rows actually inserted (a no-op update counts 0).
      flags: ['-FOUND_ROWS'],
      charset: 'utf8mb4',
    });
    const rows = await this.query('SELECT @@max_allowed_packet AS packet, @@local_infile AS local_infile');
    const packet = Number(rows[0]?.packet);
    if (Number.isFinite(packet) && packet > 0) this.maxStatementBytes = Math.max(64 * 1024, Math.floor(packet / 2));
    const infileAllowed = Number(rows[0]?.local_infile) === 1;
    this.load = this.config.load === 'auto' ? (infileAllowed ? 'infile' : 'insert') : this.config.load;
    if (this.load === 'infile' && !infileAllowed) {
      await this.close();
      throw new Error(
        `database ${this.table}: the server refuses LOAD DATA LOCAL INFILE (local_infile is OFF): turn it on (SET GLOBAL local_infile = 1, or local_infile=1 in the server's config) or set engine.load: insert`,
      );
    }
  }

  async ensureSchema(): Promise<void> {
    const version = String((await this.query('SELECT VERSION() AS v'))[0]?.v ?? '');
    const collation = binaryCollation(version);
    const table = `ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`;
    const t = this.table;
    await this.query(
      `CREATE TABLE IF NOT EXISTS \`${t}\` (
        \`file\` VARCHAR(512) NOT NULL, \`line\` BIGINT UNSIGNED NOT NULL, \`ts\` VARCHAR(32) NOT NULL,
        \`day\` CHAR(10) NOT NULL, \`app\` VARCHAR(128) NOT NULL, \`event\` VARCHAR(128) NOT NULL,
        \`user\` VARCHAR(255) NULL, \`fields\` JSON NOT NULL,
        PRIMARY KEY (\`file\`, \`line\`)
      ) ${table}`,
    );
    const summary = summaryTables(t);
    if (!this.config.summary) {
      await this.query(`DROP TABLE IF EXISTS \`${summary.counts}\`, \`${summary.users}\``);
      return;
    }
    await this.withLock(`millrace-summary:${t}`, async () => {
      if ((await this.summary()) !== undefined) return;
      // Built under another name and renamed last: a crash mid-backfill leaves no summary, so the
      // next start builds it again instead of trusting half of one.
      const building = `${summary.counts}_building`;
      await this.query(`DROP TABLE IF EXISTS \`${building}\`, \`${summary.users}\``);
      await this.query(
        `CREATE TABLE \`${summary.users}\` (
          \`app\` VARCHAR(128) NOT NULL, \`day\` CHAR(10) NOT NULL, \`user\` VARCHAR(255) NOT NULL,
          PRIMARY KEY (\`app\`, \`day\`, \`user\`)
        ) ${table}`,
      );
      await this.query(
        `CREATE TABLE \`${building}\` (
          \`app\` VARCHAR(128) NOT NULL, \`day\` CHAR(10) NOT NULL, \`event\` VARCHAR(128) NOT NULL, \`n\` BIGINT UNSIGNED NOT NULL,
          PRIMARY KEY (\`app\`, \`day\`, \`event\`)
        ) ${table}`,
      );
      await this.query(`INSERT INTO \`${summary.users}\` SELECT DISTINCT \`app\`, \`day\`, \`user\` FROM \`${t}\` WHERE \`user\` IS NOT NULL`);
      await this.query(`INSERT INTO \`${building}\` SELECT \`app\`, \`day\`, \`event\`, COUNT(*) FROM \`${t}\` GROUP BY \`app\`, \`day\`, \`event\``);
      await this.query(`RENAME TABLE \`${building}\` TO \`${summary.counts}\``);
    });
  }

  async summary(): Promise<SummaryTables | undefined> {
    const tables = summaryTables(this.table);
    const found = await this.query('SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', [tables.counts]);
    return found.length > 0 ? tables : undefined;
  }

  /** Runs `work` holding the server's named lock `name` (GET_LOCK), so writers of one table build the summary once. */
  private async withLock(name: string, work: () => Promise<void>): Promise<void> {
    const conn = await this.open().getConnection();
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT GET_LOCK(?, 60) AS got', [name]);
      if (Number(rows[0]?.got) !== 1) throw new Error(`could not take the lock ${name} within 60 s: another writer is building the summary of ${this.table}`);
      try {
        await work();
      } finally {
        await conn.query('SELECT RELEASE_LOCK(?)', [name]);
      }
    } finally {
      conn.release();
    }
  }

  async insert(rows: readonly EventRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const chunks = chunkRows(rows, this.maxStatementBytes);
    for (let attempt = 0; ; attempt++) {
      try {
        return await classifyConnectionErrors(`mysql insert into ${this.table}`, async () => {
          // A batch with rows stored already (a replay) is rolled back and stored again with care.
          const inserted = this.load === 'infile' ? await this.loadBatch(rows) : await this.insertChunks(chunks, false);
          return inserted === 'replayed' ? this.insertChunks(chunks, true) : inserted;
        });
      } catch (error) {
        if (!isDeadlock(error) || attempt >= deadlockRetries) throw error;
      }
    }
  }

  async query(sql: string, params: readonly SqlParam[] = []): Promise<Record<string, unknown>[]> {
    const pool = this.open();
    return classifyConnectionErrors('mysql query', async () => {
      const [rows] = await pool.query(sql, [...params]);
      return rows as Record<string, unknown>[];
    });
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => undefined);
  }

  /**
   * Runs `work` in a transaction on a pooled connection: committed unless it returns
   * `'replayed'` (rolled back: nothing of the batch stored) or throws (rolled back, rethrown).
   */
  private async transaction<T>(work: (conn: mysql.PoolConnection) => Promise<T | 'replayed'>): Promise<T | 'replayed'> {
    const conn = await this.open().getConnection();
    try {
      await conn.beginTransaction();
      const result = await work(conn);
      if (result === 'replayed') await conn.rollback();
      else await conn.commit();
      return result;
    } catch (error) {
      await conn.rollback().catch(() => undefined);
      throw error;
    } finally {
      conn.release();
    }
  }

  private async loadBatch(rows: readonly EventRow[]): Promise<number | 'replayed'> {
    return this.transaction(async (conn) => {
      const n = await loadData(conn, this.table, rowColumns, eventRowsText(rows), rows.length);
      if (!this.config.summary) return n;
      if (n !== rows.length) return 'replayed';
      const tally = new SummaryTally();
      for (const r of rows) tally.add(r.app, r.day, r.event, r.user);
      await this.addToSummary(conn, tally);
      return n;
    });
  }

  /**
   * Stores `chunks` in one transaction, with the summary of the rows that were new. Usually all
   * are: the chunks go in as they are and are tallied from themselves. When some were stored
   * already, the transaction is rolled back and `'replayed'` returned; `careful` then reads the
   * stored keys of each chunk with a locking read first (a concurrent writer of the same keys
   * waits, or has committed) and stores and tallies only the others.
   */
  private async insertChunks(chunks: readonly EventRow[][], careful: true): Promise<number>;
  private async insertChunks(chunks: readonly EventRow[][], careful: false): Promise<number | 'replayed'>;
  private async insertChunks(chunks: readonly EventRow[][], careful: boolean): Promise<number | 'replayed'> {
    return this.transaction(async (conn) => {
      const tally = this.config.summary ? new SummaryTally() : undefined;
      let inserted = 0;
      for (const chunk of chunks) {
        const fresh = tally !== undefined && careful ? await this.unstored(conn, chunk) : chunk;
        const n = await this.insertRows(conn, fresh);
        if (tally !== undefined) {
          if (n !== fresh.length && careful) throw new Error(`rows of ${this.table} were stored by another writer while this one held their keys locked: the batch is retried`);
          if (n !== fresh.length) return 'replayed';
          for (const r of fresh) tally.add(r.app, r.day, r.event, r.user);
        }
        inserted += n;
      }
      if (tally !== undefined) await this.addToSummary(conn, tally);
      return inserted;
    });
  }

  /** Inserts `rows` (one statement) and returns how many were new. */
  private async insertRows(conn: mysql.PoolConnection, rows: readonly EventRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const columns = rowColumns.map((c) => `\`${c}\``).join(', ');
    const values: SqlParam[] = [];
    for (const r of rows) values.push(r.file, r.line, r.ts, r.day, r.app, r.event, r.user, r.fields);
    const sql = `INSERT INTO \`${this.table}\` (${columns}) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ON DUPLICATE KEY UPDATE \`line\` = \`line\``;
    const [result] = await conn.query<mysql.ResultSetHeader>(sql, values);
    return result.affectedRows;
  }

  /** The rows of `chunk` not stored yet (each key once), read with a locking read. */
  private async unstored(conn: mysql.PoolConnection, chunk: readonly EventRow[]): Promise<EventRow[]> {
    const [stored] = await conn.query<mysql.RowDataPacket[]>(
      `SELECT \`file\`, \`line\` FROM \`${this.table}\` WHERE (\`file\`, \`line\`) IN (${chunk.map(() => '(?, ?)').join(', ')}) FOR UPDATE`,
      chunk.flatMap((r) => [r.file, r.line]),
    );
    const seen = new Set(stored.map((r) => `${String(r.line)}:${String(r.file)}`));
    return chunk.filter((r) => {
      const key = `${r.line}:${r.file}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** Adds a tally to the summary tables, in statements under the packet bound. */
  private async addToSummary(conn: mysql.PoolConnection, tally: SummaryTally): Promise<void> {
    const summary = summaryTables(this.table);
    // Worst case bytes of a summary row in a statement, as in statementBytes.
    const perStatement = Math.max(1, Math.floor(this.maxStatementBytes / (64 + 6 * (128 + 10 + 255 + 128))));
    // In key order, so concurrent batches take their locks alike; the users first and the counts
    // (hot rows every batch updates) last, so their locks are held for the shortest time.
    const users = [...tally.userRows()].sort((a, b) => byKey([a.app, a.day, a.user], [b.app, b.day, b.user]));
    if (this.load === 'infile') {
      // A set: LOAD DATA LOCAL skips the members stored already.
      await loadData(conn, summary.users, ['app', 'day', 'user'], textRowsText(users.map((u) => [u.app, u.day, u.user])), users.length);
    } else {
      for (let i = 0; i < users.length; i += perStatement) {
        const part = users.slice(i, i + perStatement);
        await conn.query(
          `INSERT INTO \`${summary.users}\` (\`app\`, \`day\`, \`user\`) VALUES ${part.map(() => '(?, ?, ?)').join(', ')} ON DUPLICATE KEY UPDATE \`user\` = \`user\``,
          part.flatMap((u) => [u.app, u.day, u.user]),
        );
      }
    }
    const counts = [...tally.countRows()].sort((a, b) => byKey([a.app, a.day, a.event], [b.app, b.day, b.event]));
    for (let i = 0; i < counts.length; i += perStatement) {
      const part = counts.slice(i, i + perStatement);
      await conn.query(
        `INSERT INTO \`${summary.counts}\` (\`app\`, \`day\`, \`event\`, \`n\`) VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')} ON DUPLICATE KEY UPDATE \`n\` = \`n\` + VALUES(\`n\`)`,
        part.flatMap((c) => [c.app, c.day, c.event, c.n]),
      );
    }
  }

  private open(): mysql.Pool {
    if (this.pool === undefined) throw new Error('mysql pool is not open');
    return this.pool;
  }
}
