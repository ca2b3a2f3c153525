import mysql from 'mysql2/promise';
import { afterAll, beforeAll } from 'vitest';
import { ensureMariaDb, type MariaDbHandle } from '../../infra/mariadb/server.js';

/** The URL a `database` sink config takes for a test server. */
export function mysqlUrl(h: Omit<MariaDbHandle, 'stop'>): string {
  return `mysql://${encodeURIComponent(h.user)}:${encodeURIComponent(h.password)}@${h.host}:${h.port}/${h.database}`;
}

/** A table name no other test run uses, so tests can share one server. */
export function uniqueTable(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Runs one statement on its own connection (not the code under test) and returns the rows. */
export async function sql(h: Omit<MariaDbHandle, 'stop'>, statement: string): Promise<Record<string, unknown>[]> {
  const conn = await mysql.createConnection({ host: h.host, port: h.port, user: h.user, password: h.password, database: h.database });
  try {
    const [rows] = await conn.query(statement);
    return rows as Record<string, unknown>[];
  } finally {
    await conn.end();
  }
}

/** The stored line numbers of `file`, sorted, read straight from the server. */
export async function storedLines(h: Omit<MariaDbHandle, 'stop'>, table: string, file = 'hdfs:/logs/app.log.gz'): Promise<number[]> {
  const rows = await sql(h, `SELECT line FROM \`${table}\` WHERE file = ${mysql.escape(file)} ORDER BY line`);
  return rows.map((r) => Number(r.line));
}

/**
 * A database of its own on the shared test server, for one suite: created before its tests,
 * dropped after them. Read `url` inside a test.
 */
export function useMariaDbDatabase(prefix: string): { readonly url: string } {
  let server: MariaDbHandle | undefined;
  const database = uniqueTable(prefix);
  beforeAll(async () => {
    server = await ensureMariaDb('a', 13306);
    await sql(server, `CREATE DATABASE \`${database}\``);
  }, 300_000);
  afterAll(async () => {
    if (server === undefined) return;
    await sql(server, `DROP DATABASE IF EXISTS \`${database}\``);
    await server.stop();
  }, 120_000);
  return {
    get url(): string {
      if (server === undefined) throw new Error('the MariaDB server is started in beforeAll: read url inside a test');
      return mysqlUrl({ ...server, database });
    },
  };
}
