import type { SqlParam } from '../db/database.js';
import type { RegistrySql } from '../db/registry-sql.js';

/**
 * The quality tables, next to the stream registry's: what each hop counted per stream, window and
 * hop (`gateway`, `sink:<id>`), its latency histogram, the source positions a hop has counted up
 * to (to recognise redelivered records), and the joined quality rows.
 */
const TABLES = [
  `CREATE TABLE IF NOT EXISTS quality_counts (
    stream VARCHAR(249) NOT NULL, window_start BIGINT NOT NULL, hop VARCHAR(160) NOT NULL,
    records BIGINT NOT NULL, duplicates BIGINT NOT NULL, updated_ms BIGINT NOT NULL,
    PRIMARY KEY (stream, window_start, hop))`,
  `CREATE TABLE IF NOT EXISTS quality_latency (
    stream VARCHAR(249) NOT NULL, window_start BIGINT NOT NULL, hop VARCHAR(160) NOT NULL, bucket INTEGER NOT NULL,
    records BIGINT NOT NULL,
    PRIMARY KEY (stream, window_start, hop, bucket))`,
  `CREATE TABLE IF NOT EXISTS quality_marks (
    stream VARCHAR(249) NOT NULL, hop VARCHAR(160) NOT NULL, origin VARCHAR(300) NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (stream, hop, origin))`,
  `CREATE TABLE IF NOT EXISTS quality (
    stream VARCHAR(249) NOT NULL, window_start BIGINT NOT NULL, sink VARCHAR(160) NOT NULL,
    received BIGINT NOT NULL, delivered BIGINT NOT NULL, duplicated BIGINT NOT NULL, lost BIGINT NOT NULL, extra BIGINT NOT NULL,
    p50_ms BIGINT, p99_ms BIGINT, state VARCHAR(8) NOT NULL, alerted INTEGER NOT NULL, updated_ms BIGINT NOT NULL,
    PRIMARY KEY (stream, window_start, sink))`,
];

export async function createQualityTables(sql: RegistrySql): Promise<void> {
  const suffix = sql.dialect === 'mysql' ? ' DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin' : '';
  for (const table of TABLES) await sql.run(table + suffix);
}

/** How an upsert merges a column into an existing row: added, the larger kept, or replaced. */
export type Merge = 'add' | 'max' | 'replace';

/**
 * Inserts `rows` (values in `columns` order) into `table`, merging into the row with the same
 * `key` columns as `merge` says; in SQLite's or MariaDB's syntax.
 */
export async function upsert(sql: RegistrySql, table: string, columns: readonly string[], key: readonly string[], merge: Readonly<Record<string, Merge>>, rows: readonly SqlParam[][]): Promise<void> {
  if (rows.length === 0) return;
  const mysql = sql.dialect === 'mysql';
  const incoming = (c: string): string => (mysql ? `VALUES(${c})` : `excluded.${c}`);
  const set = Object.entries(merge)
    .map(([c, how]) => `${c} = ${how === 'add' ? `${c} + ${incoming(c)}` : how === 'max' ? `${mysql ? 'GREATEST' : 'MAX'}(${c}, ${incoming(c)})` : incoming(c)}`)
    .join(', ');
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  // Chunks keep a statement under SQLite's default limit of 32766 parameters.
  const perStatement = Math.max(1, Math.floor(30_000 / columns.length));
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => placeholders).join(', ')}`;
    await sql.run(mysql ? `${head} ON DUPLICATE KEY UPDATE ${set}` : `${head} ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${set}`, chunk.flat());
  }
}
