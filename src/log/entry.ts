import { InvalidRecord } from './errors.js';
import type { TextOrBytes } from '../core/text-or-bytes.js';

/** A record as given to {@link EmbeddedLog.append}. */
export interface LogEntry {
  /** Optional partitioning / compaction key: text (stored as UTF-8) or bytes, read back as {@link textOrBytes}. */
  key?: TextOrBytes;
  /** Opaque payload. */
  value: Uint8Array;
  /** Optional headers: UTF-8 names; values text or bytes, like the key. */
  headers?: Record<string, TextOrBytes>;
  /** Record timestamp in milliseconds (any finite number; used by age retention). */
  ts: number;
}

/**
 * A record as returned by {@link EmbeddedLog.read}. `value` is a view into a
 * read buffer shared by the records of one read call: copy it if you keep a
 * few records for a long time and drop the rest.
 */
export interface StoredEntry extends LogEntry {
  /** Offset assigned at append time (contiguous per partition, from 0). */
  offset: number;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Throws {@link InvalidRecord} unless `rec` has the shape of a {@link LogEntry}. */
export function assertLogEntry(rec: unknown, index: number): asserts rec is LogEntry {
  if (typeof rec !== 'object' || rec === null) throw new InvalidRecord(`record ${index} is not an object`);
  const r = rec as Record<string, unknown>;
  if (!(r.value instanceof Uint8Array)) throw new InvalidRecord(`record ${index}: value must be a Uint8Array`);
  if (typeof r.ts !== 'number' || !Number.isFinite(r.ts)) {
    throw new InvalidRecord(`record ${index}: ts must be a finite number`);
  }
  if (r.key !== undefined && typeof r.key !== 'string' && !(r.key instanceof Uint8Array)) {
    throw new InvalidRecord(`record ${index}: key must be a string or bytes when present`);
  }
  if (r.headers !== undefined) {
    if (!isPlainObject(r.headers)) throw new InvalidRecord(`record ${index}: headers must be a plain object`);
    for (const v of Object.values(r.headers)) {
      if (typeof v !== 'string' && !(v instanceof Uint8Array)) throw new InvalidRecord(`record ${index}: header values must be strings or bytes`);
    }
  }
}
