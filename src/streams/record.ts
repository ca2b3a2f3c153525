import type { TextOrBytes } from '../core/text-or-bytes.js';

/** A JSON value, for structured record payloads produced by parsing stages. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** What a record carries: raw bytes, text, or a parsed structure. */
export type Payload = Uint8Array | string | { [key: string]: Json };

/** One log or event record. Records never travel alone: they move in a {@link Batch}. */
export interface LogRecord {
  value: Payload;
  /** Text, or bytes when the key is not valid UTF-8 (kept exactly, see {@link ../core/text-or-bytes.js}). */
  key?: TextOrBytes;
  /** Stream id (design 5: one stream per collection agent). */
  stream?: string;
  /** Event time, ms since the epoch. */
  ts: number;
  /** Values are text, or bytes when not valid UTF-8. */
  headers?: Record<string, TextOrBytes>;
  /** The partition the record had in its source topic, where a mirror link carried it (a kafka sink with `partition: source` keeps it). */
  partition?: number;
}

/**
 * Approximate size of a payload in bytes, used for channel byte bounds.
 * Strings count their UTF-16 length (cheap, close to UTF-8 length for log text); structures are
 * estimated from their key and value lengths without serialising them.
 */
export function payloadBytes(value: Payload): number {
  if (typeof value === 'string') return value.length;
  if (value instanceof Uint8Array) return value.byteLength;
  return jsonBytes(value);
}

function jsonBytes(value: Json): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value !== 'object') return 8;
  if (value === null) return 4;
  let total = 2;
  if (Array.isArray(value)) {
    for (const item of value) total += jsonBytes(item) + 1;
    return total;
  }
  for (const key in value) {
    const item = value[key] as Json;
    // Strings, the usual values, without a call: this walk runs for every record sent.
    total += key.length + 4 + (typeof item === 'string' ? item.length + 2 : jsonBytes(item));
  }
  return total;
}

/** Flat allowance for a record's headers: walking them on every hop costs more than it tells. */
const HEADERS_ALLOWANCE = 64;

/** Approximate size of a record: payload plus key, plus a flat allowance for headers. */
export function recordBytes(record: LogRecord): number {
  let n = payloadBytes(record.value);
  if (record.key !== undefined) n += typeof record.key === 'string' ? record.key.length : record.key.byteLength;
  if (record.headers !== undefined) n += HEADERS_ALLOWANCE;
  return n;
}

/** Turns any payload into text (UTF-8 for bytes, JSON for structures). */
export function payloadText(value: Payload): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  return JSON.stringify(value);
}
