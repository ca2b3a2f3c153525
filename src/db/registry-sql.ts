import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type mysql from 'mysql2/promise';
import { mysqlDriver } from './mysql-driver.js';
import type { SqlParam } from './database.js';
import { SerialQueue } from '../core/serial-queue.js';
import { openSqlite } from './sqlite-insert.js';

/** The few statements the stream registry runs, on SQLite or MariaDB/MySQL (`?` placeholders on both). */
export interface RegistrySql {
  /** Which SQL it speaks, for the statements that differ (upserts). */
  readonly dialect: 'sqlite' | 'mysql';
  all<Row>(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
  /** Rows changed. */
  run(sql: string, params?: readonly SqlParam[]): Promise<number>;
  /** `work` in one transaction, committed when it resolves. */
  transaction<T>(work: (tx: RegistrySql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const columns = (id: string): string => `
  id ${id} PRIMARY KEY,
  topic VARCHAR(249) NOT NULL,
  cluster VARCHAR(255) NOT NULL,
  token_sha256 CHAR(64) NOT NULL,
  state VARCHAR(16) NOT NULL,
  quota_records_per_sec BIGINT,
  quota_bytes_per_sec BIGINT,
  name TEXT NOT NULL,
  owner TEXT NOT NULL,
  format VARCHAR(16) NOT NULL,
  field_schema TEXT,
  sinks TEXT NOT NULL,
  retention_hours INTEGER,
  module TEXT`;

/** Columns added after the registry's first release: added to an existing table when missing. */
const ADDED_COLUMNS = [{ name: 'module', type: 'TEXT' }] as const;

/** The statements that add the columns of {@link ADDED_COLUMNS} missing from `present`. */
const addMissingColumns = (present: readonly { name: string }[]): string[] =>
  ADDED_COLUMNS.filter((c) => !present.some((p) => p.name === c.name)).map((c) => `ALTER TABLE streams ADD COLUMN ${c.name} ${c.type}`);

const REVISION = 'CREATE TABLE IF NOT EXISTS streams_revision (one INTEGER PRIMARY KEY, revision BIGINT NOT NULL)';

/** SQLite through better-sqlite3: one connection, statements run synchronously. */
export function sqliteRegistry(path: string, busyTimeoutMs: number): RegistrySql {
  mkdirSync(dirname(path), { recursive: true });
  const db: BetterSqlite3.Database = openSqlite(path, { busyTimeoutMs, synchronous: 'normal' }, false);
  db.exec(`CREATE TABLE IF NOT EXISTS streams (${columns('TEXT')}); ${REVISION}; INSERT OR IGNORE INTO streams_revision VALUES (1, 0);`);
  for (const statement of addMissingColumns(db.prepare('PRAGMA table_info(streams)').all() as { name: string }[])) db.exec(statement);
  const transactions = new SerialQueue();
  const sql: RegistrySql = {
    dialect: 'sqlite',
    all: async <Row>(text: string, params: readonly SqlParam[] = []) => db.prepare(text).all(...params) as Row[],
    run: async (text, params = []) => db.prepare(text).run(...params).changes,
    // One connection: transactions wait for each other (their work awaits, so they could interleave).
    transaction: (work) =>
      transactions.run(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const out = await work(sql);
          db.exec('COMMIT');
          return out;
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      }),
    close: async () => void db.close(),
  };
  return sql;
}

/** MariaDB/MySQL through a small mysql2 pool; the tables are created when missing. */
export async function mysqlRegistry(url: string, connectTimeoutMs: number): Promise<RegistrySql> {
  const pool = mysqlDriver().createPool({ uri: url, connectionLimit: 2, connectTimeout: connectTimeoutMs, charset: 'utf8mb4' });
  const over = (conn: mysql.Pool | mysql.PoolConnection): RegistrySql => ({
    dialect: 'mysql',
    async all<Row>(text: string, params: readonly SqlParam[] = []) {
      const [rows] = await conn.query(text, [...params]);
      return rows as Row[];
    },
    async run(text, params = []) {
      const [result] = await conn.query(text, [...params]);
      return (result as mysql.ResultSetHeader).affectedRows;
    },
    async transaction(work) {
      const c = await pool.getConnection();
      try {
        await c.beginTransaction();
        const out = await work(over(c));
        await c.commit();
        return out;
      } catch (error) {
        await c.rollback();
        throw error;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  });
  const sql = over(pool);
  try {
    await sql.run(`CREATE TABLE IF NOT EXISTS streams (${columns('VARCHAR(249)')}) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await sql.run(REVISION);
    await sql.run('INSERT IGNORE INTO streams_revision VALUES (1, 0)');
    const present = await sql.all<{ name: string }>("SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'streams'");
    for (const statement of addMissingColumns(present)) await sql.run(statement);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return sql;
}

/** Where a registry is: a SQLite file, or a MariaDB/MySQL server URL (mysql://user:pass@host:port/db). */
export type RegistryLocation = { path: string } | { url: string };

/** The registry's database at `location`, its tables created when missing. */
export function openRegistrySql(location: RegistryLocation, timeoutMs: number): Promise<RegistrySql> {
  return 'url' in location ? mysqlRegistry(location.url, timeoutMs) : Promise.resolve(sqliteRegistry(location.path, timeoutMs));
}
