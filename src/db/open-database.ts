import type { EngineConfig } from './config.js';
import type { Database, OpenOptions } from './database.js';
import { MysqlDatabase } from './mysql.js';
import { SqliteDatabase } from './sqlite.js';

/**
 * The database an engine config names, not yet connected.
 *
 * @example
 * const db = createDatabase({ type: 'sqlite', path: 'data/millrace.db', synchronous: 'normal', busyTimeoutMs: 5000 }, 'events', { baseDir: '.' });
 * await db.connect();
 * await db.ensureSchema();
 * await db.insert(rows);
 */
export function createDatabase(engine: EngineConfig, table: string, options: OpenOptions): Database {
  return engine.type === 'sqlite' ? new SqliteDatabase(engine, table, options) : new MysqlDatabase(engine, table);
}
