import type { LogRecord } from '../streams/record.js';
import { isCanonicalTimestamp } from '../formats/line-format.js';
import { textOf } from '../core/text-or-bytes.js';

/** One stored line of a log file: the `database` sink's row, keyed by (file, line). */
export interface EventRow {
  file: string;
  line: number;
  /** ISO-8601 UTC timestamp with milliseconds, e.g. `2026-11-20T08:15:02.113Z`. */
  ts: string;
  /** UTC day `YYYY-MM-DD`. */
  day: string;
  app: string;
  event: string;
  user: string | null;
  /** The record's other fields as a JSON object text. */
  fields: string;
}

/** Column widths of the table; longer values are rejected instead of truncated. */
export const columnLimits = { file: 512, app: 128, event: 128, user: 255 } as const;

/** Columns in insert order. */
export const rowColumns = ['file', 'line', 'ts', 'day', 'app', 'event', 'user', 'fields'] as const;

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;
const linePattern = /^[1-9]\d{0,15}$/;

/** A row, or why the record cannot become one. */
export type RowResult = { row: EventRow } | { reason: string };

function text(value: unknown, name: string, max: number): string | { reason: string } {
  if (typeof value !== 'string' || value.length === 0) return { reason: `${name} must be a non-empty string` };
  if (value.length > max) return { reason: `${name} is longer than ${max} characters` };
  return value;
}

function timestamp(value: unknown): string | { reason: string } {
  // The parse stage writes this form, so most rows skip the round trip through Date.
  if (typeof value === 'string' && isCanonicalTimestamp(value)) return value;
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return { reason: `ts ${JSON.stringify(value) ?? 'undefined'} is not a timestamp` };
  return new Date(ms).toISOString();
}

/**
 * Turns a parsed record (value `{ ts, day, app, event, user, fields }`, headers `file` and
 * `line`, see docs/decisions/log-pipeline.md) into a row. `ts` may be ISO-8601 text or epoch
 * milliseconds; a missing `day` is taken from `ts` (UTC).
 *
 * @example
 * toRow({ value: { ts: '2026-11-20T08:15:02.113Z', app: 'shop', event: 'ad_show', user: 'u1', fields: { ad: 'a17' } },
 *         ts: 0, headers: { file: 'hdfs:/logs/a.gz', line: '7' } });
 * // { row: { file: 'hdfs:/logs/a.gz', line: 7, day: '2026-11-20', ... } }
 */
export function toRow(record: LogRecord): RowResult {
  const file = text(record.headers?.file, 'header file', columnLimits.file);
  if (typeof file !== 'string') return file;
  const line = record.headers?.line;
  const lineText = line === undefined ? undefined : textOf(line);
  if (lineText === undefined || !linePattern.test(lineText)) return { reason: `header line ${JSON.stringify(lineText) ?? 'missing'} is not a positive line number` };
  const value = record.value;
  if (typeof value !== 'object' || value instanceof Uint8Array || Array.isArray(value)) return { reason: 'value is not a parsed record object' };
  const ts = timestamp(value.ts);
  if (typeof ts !== 'string') return ts;
  const day = value.day ?? ts.slice(0, 10);
  if (typeof day !== 'string' || !dayPattern.test(day)) return { reason: `day ${JSON.stringify(day)} is not YYYY-MM-DD` };
  const app = text(value.app, 'app', columnLimits.app);
  if (typeof app !== 'string') return app;
  const event = text(value.event, 'event', columnLimits.event);
  if (typeof event !== 'string') return event;
  const user = value.user ?? null;
  if (user !== null && (typeof user !== 'string' || user.length > columnLimits.user)) return { reason: `user must be a string of at most ${columnLimits.user} characters or null` };
  const fields = value.fields ?? {};
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return { reason: 'fields must be an object' };
  return { row: { file, line: Number(lineText), ts, day, app, event, user, fields: JSON.stringify(fields) } };
}
