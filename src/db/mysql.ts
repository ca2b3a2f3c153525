import mysql from 'mysql2/promise';
import type { MysqlEngineConfig } from './config.js';
import { classifyConnectionErrors } from './connection-errors.js';
import type { Database, SqlParam } from './database.js';
import { rowColumns, type EventRow } from './event-row.js';

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

/** A deadlock or lock wait timeout: the transaction can be run again. */
export function isDeadlock(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

/**
 * MariaDB/MySQL through a mysql2 connection pool. A batch is one transaction on one pooled
 * connection: multi-row `INSERT ... ON DUPLICATE KEY UPDATE` statements (a no-op update, so a
 * stored (file, line) is left as it is), chunked under half the server's `max_allowed_packet`.
 * Unlike `INSERT IGNORE`, this keeps strict-mode data errors as errors instead of warnings.
 */
export class MysqlDatabase implements Database {
  readonly engine = 'mysql';
  private pool: mysql.Pool | undefined;
  private maxStatementBytes = 4 * 1024 * 1024;

  constructor(
    private readonly config: MysqlEngineConfig,
    readonly table: string,
  ) {}

  async connect(): Promise<void> {
    this.pool ??= mysql.createPool({
      uri: this.config.url,
      connectionLimit: this.config.pool,
      connectTimeout: this.config.connectTimeoutMs,
      enableKeepAlive: true,
      // Without FOUND_ROWS, affectedRows counts only rows actually inserted (a no-op update counts 0).
      flags: ['-FOUND_ROWS'],
      charset: 'utf8mb4',
    });
    const rows = await this.query('SELECT @@max_allowed_packet AS packet');
    const packet = Number(rows[0]?.packet);
    if (Number.isFinite(packet) && packet > 0) this.maxStatementBytes = Math.max(64 * 1024, Math.floor(packet / 2));
  }

  async ensureSchema(): Promise<void> {
    const version = String((await this.query('SELECT VERSION() AS v'))[0]?.v ?? '');
    const collation = binaryCollation(version);
    const t = this.table;
    await this.query(
      `CREATE TABLE IF NOT EXISTS \`${t}\` (
        \`file\` VARCHAR(512) NOT NULL, \`line\` BIGINT UNSIGNED NOT NULL, \`ts\` VARCHAR(32) NOT NULL,
        \`day\` CHAR(10) NOT NULL, \`app\` VARCHAR(128) NOT NULL, \`event\` VARCHAR(128) NOT NULL,
        \`user\` VARCHAR(255) NULL, \`fields\` JSON NOT NULL,
        PRIMARY KEY (\`file\`, \`line\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`,
    );
  }

  async insert(rows: readonly EventRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const chunks = chunkRows(rows, this.maxStatementBytes);
    for (let attempt = 0; ; attempt++) {
      try {
        return await classifyConnectionErrors(`mysql insert into ${this.table}`, () => this.insertChunks(chunks));
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

  private async insertChunks(chunks: readonly EventRow[][]): Promise<number> {
    const conn = await this.open().getConnection();
    const columns = rowColumns.map((c) => `\`${c}\``).join(', ');
    const head = `INSERT INTO \`${this.table}\` (${columns}) VALUES `;
    const tail = ' ON DUPLICATE KEY UPDATE `line` = `line`';
    try {
      await conn.beginTransaction();
      let inserted = 0;
      for (const chunk of chunks) {
        const values: SqlParam[] = [];
        for (const r of chunk) values.push(r.file, r.line, r.ts, r.day, r.app, r.event, r.user, r.fields);
        const sql = head + chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ') + tail;
        const [result] = await conn.query<mysql.ResultSetHeader>(sql, values);
        inserted += result.affectedRows;
      }
      await conn.commit();
      return inserted;
    } catch (error) {
      await conn.rollback().catch(() => undefined);
      throw error;
    } finally {
      conn.release();
    }
  }

  private open(): mysql.Pool {
    if (this.pool === undefined) throw new Error('mysql pool is not open');
    return this.pool;
  }
}
