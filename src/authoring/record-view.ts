import type { LogRecord } from '../streams/record.js';
import type { ExpectedRecord, InputRecord } from './cases-schema.js';
import { headersText, textOf } from '../core/text-or-bytes.js';

/** Event time of input records that give none: 2024-01-01T00:00:00Z, so runs are repeatable. */
export const DEFAULT_TS = 1_704_067_200_000;

/**
 * A record as tests see it: text and mappings as they are, bytes as text when they are valid
 * UTF-8 and as `base64` otherwise. Field paths (`value.level`, `key`) resolve against it.
 */
export interface RecordView {
  value?: string | Record<string, unknown>;
  base64?: string;
  key?: string;
  headers?: Record<string, string>;
  stream?: string;
  ts: number;
}

/** The log record an input entry of a cases file stands for. */
export function inputRecord(input: InputRecord): LogRecord {
  const value = input.base64 !== undefined ? new Uint8Array(Buffer.from(input.base64, 'base64')) : (input.value ?? '');
  const record: LogRecord = { value: value as LogRecord['value'], ts: input.ts ?? DEFAULT_TS };
  if (input.key !== undefined) record.key = input.key;
  if (input.headers !== undefined) record.headers = { ...input.headers };
  if (input.stream !== undefined) record.stream = input.stream;
  return record;
}

/** How a test sees a record that left an actor. */
export function viewRecord(record: LogRecord): RecordView {
  const view: RecordView = { ts: record.ts };
  if (record.value instanceof Uint8Array) {
    const buf = Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength);
    const text = buf.toString('utf8');
    if (Buffer.byteLength(text) === buf.byteLength && !text.includes('\uFFFD')) view.value = text;
    else view.base64 = buf.toString('base64');
  } else {
    view.value = record.value as string | Record<string, unknown>;
  }
  if (record.key !== undefined) view.key = textOf(record.key);
  if (record.headers !== undefined) view.headers = headersText(record.headers);
  if (record.stream !== undefined) view.stream = record.stream;
  return view;
}

/** Deep equality of JSON-like data (mapping key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The payload of a view as base64, for comparing with an expected `base64`. */
function viewBase64(view: RecordView): string | undefined {
  if (view.base64 !== undefined) return view.base64;
  return typeof view.value === 'string' ? Buffer.from(view.value).toString('base64') : undefined;
}

/**
 * Where an actual record differs from an expected one: `field: expected X, got Y` per field,
 * empty when it matches. Fields the expectation leaves out are not compared.
 *
 * @example
 * recordDifferences({ value: 'a', key: 'k' }, { value: 'b', ts: 0 });
 * // ['value: expected "a", got "b"', 'key: expected "k", got nothing']
 */
export function recordDifferences(expected: ExpectedRecord, actual: RecordView): string[] {
  const out: string[] = [];
  const differ = (field: string, want: unknown, got: unknown): void => {
    if (!deepEqual(want ?? null, got ?? null)) out.push(`${field}: expected ${show(want)}, got ${show(got)}`);
  };
  if (expected.base64 !== undefined) differ('base64', expected.base64, viewBase64(actual));
  else if (expected.value !== undefined) {
    if (typeof expected.value === 'object' && typeof actual.value === 'object') differFields('value', expected.value, actual.value, out);
    else differ('value', expected.value, actual.value ?? (actual.base64 === undefined ? undefined : { base64: actual.base64 }));
  }
  if (expected.key !== undefined) differ('key', expected.key, actual.key);
  if (expected.headers !== undefined) differ('headers', expected.headers, actual.headers);
  if (expected.stream !== undefined) differ('stream', expected.stream, actual.stream);
  return out;
}

/** Field by field for two mappings, so a diff names `value.level` rather than the whole value. */
function differFields(path: string, want: Record<string, unknown>, got: Record<string, unknown>, out: string[]): void {
  const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])];
  for (const key of keys) {
    const w = want[key];
    const g = got[key];
    if (deepEqual(w ?? null, g ?? null)) continue;
    const where = `${path}.${key}`;
    if (isPlainObject(w) && isPlainObject(g)) differFields(where, w, g, out);
    else out.push(`${where}: expected ${w === undefined ? 'nothing' : show(w)}, got ${show(g)}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A value in one line of JSON; `nothing` for undefined. */
export function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** A record in one line: the fields a test compares, in a fixed order. */
export function showRecord(record: (RecordView & { consumer?: string }) | ExpectedRecord): string {
  const shown: Record<string, unknown> = {};
  for (const field of ['value', 'base64', 'key', 'headers', 'stream', 'consumer'] as const) {
    const value = (record as Record<string, unknown>)[field];
    if (value !== undefined) shown[field] = value;
  }
  return JSON.stringify(shown);
}
