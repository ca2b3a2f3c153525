import type { Payload, LogRecord } from './record.js';
import { textOf, type TextOrBytes } from '../core/text-or-bytes.js';

/**
 * A new record with `value` and the input's headers plus `headers` (records are never mutated
 * once they left an actor); key, stream and ts carry over.
 *
 * @example
 * derive(fileRecord, chunkBytes, { chunk: '0', firstLine: '1' });
 */
export function derive(
  record: LogRecord,
  value: Payload,
  headers: Record<string, TextOrBytes>,
): LogRecord {
  const out: LogRecord = {
    value,
    ts: record.ts,
    headers: Object.assign({}, record.headers, headers),
  };
  if (record.key !== undefined) out.key = record.key;
  if (record.stream !== undefined) out.stream = record.stream;
  return out;
}

/** A decimal header as a non-negative integer, or `fallback` when absent or malformed. */
export function intHeader(record: LogRecord, name: string, fallback: number): number {
  const header = record.headers?.[name];
  const raw = header === undefined ? undefined : textOf(header);
  if (raw === undefined || !/^\d+$/.test(raw)) return fallback;
  return Number(raw);
}

/** What kind of payload a record holds, for dead-letter reasons. */
export function payloadKind(value: Payload): string {
  if (typeof value === 'string') return 'text';
  return value instanceof Uint8Array ? 'bytes' : 'a structure';
}
