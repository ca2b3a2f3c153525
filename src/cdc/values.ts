import type { Json } from '../streams/record.js';

/** MySQL type code of TIMESTAMP (classic; 17 is the fractional one): instants, rendered in UTC. */
export const TIMESTAMP_TYPE = 7;
const TIMESTAMP_TYPES = new Set([TIMESTAMP_TYPE, 17]);

/** A `YYYY-MM-DD HH:MM:SS[.ffffff]` the binlog decoder rendered in UTC, as ISO 8601 with `Z`. */
function utcInstant(text: string): string {
  // The zero timestamp is no instant: it stays as the server wrote it.
  if (text.startsWith('0000-00-00')) return text;
  return `${text.replace(' ', 'T')}Z`;
}

/**
 * One column value as a record carries it: numbers that fit a double exactly as numbers, BIGINT
 * beyond 2^53 and DECIMAL as exact strings, DATE/DATETIME/TIME as the server's text, TIMESTAMP as
 * an ISO instant in UTC (`...Z`), ENUM/SET as their labels, JSON as its text, bytes (BLOB, BINARY,
 * BIT) as `{ base64 }`, NULL as null.
 */
export function columnValue(value: unknown, type: number | undefined): Json {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return { base64: value.toString('base64') };
  if (typeof value === 'string') return type !== undefined && TIMESTAMP_TYPES.has(type) ? utcInstant(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** Column name → type code, from a table map's column list. */
export type ColumnTypes = ReadonlyMap<string, number>;

/** A decoded row with every value as {@link columnValue} makes it. */
export function rowValues(row: Record<string, unknown>, types: ColumnTypes): { [column: string]: Json } {
  const out: { [column: string]: Json } = {};
  for (const [column, value] of Object.entries(row)) out[column] = columnValue(value, types.get(column));
  return out;
}
