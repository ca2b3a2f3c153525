import { Packr } from 'msgpackr';
import { z } from 'zod';
import type { Json, Payload } from '../../streams/record.js';
import { msgpackProblem } from './msgpack-check.js';

export const valueEncodingSchema = z
  .enum(['raw', 'json', 'msgpack'])
  .default('raw')
  .describe(
    'Message value format. raw: bytes as they are (text as UTF-8; a structured value is written as JSON text) and read back as bytes; json: a JSON document (object or string); msgpack: the same as MessagePack (a map with string keys, a string or bytes, holding only JSON values: 0xC1, extension types such as timestamps, nested bytes, non-finite floats and integers beyond 2^53 are undecodable and dead-lettered).',
  );
export type ValueEncoding = z.infer<typeof valueEncodingSchema>;

// Plain MessagePack maps: msgpackr's record extension would not be readable by other clients.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });
// msgpackr renames a `__proto__` key to `__proto_` when it decodes maps into objects (its guard
// against prototype pollution). Values holding that key are decoded into Maps instead and turned
// into objects with `__proto__` as an own property, as JSON.parse makes it.
const mapPackr = new Packr({ useRecords: false, mapsAsObjects: false });
const PROTO_KEY = Buffer.from('__proto__');

/** `value` with every Map turned into a plain object of own properties. */
function withOwnKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withOwnKeys);
  if (!(value instanceof Map)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of value) Object.defineProperty(out, String(key), { value: withOwnKeys(v), enumerable: true, writable: true, configurable: true });
  return out;
}

function unpackMsgpack(bytes: Buffer): unknown {
  return bytes.includes(PROTO_KEY) ? withOwnKeys(mapPackr.unpack(bytes)) : packr.unpack(bytes);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The bytes of a record value in `encoding`. Never throws for a valid payload. */
export function encodeValue(value: Payload, encoding: ValueEncoding): Buffer {
  switch (encoding) {
    case 'raw':
      if (value instanceof Uint8Array) return asBuffer(value);
      return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
    case 'json':
      return Buffer.from(JSON.stringify(value instanceof Uint8Array ? asBuffer(value).toString('utf8') : value), 'utf8');
    case 'msgpack':
      return packr.pack(value instanceof Uint8Array ? asBuffer(value) : value);
  }
}

/** A decoded value, or why the bytes are not a valid record value in `encoding`. */
export type Decoded = { ok: true; value: Payload } | { ok: false; reason: string };

/** An object whose prototype is Object.prototype or null: not a Date, Map, array or class instance. */
function isPlainObject(x: unknown): x is { [key: string]: Json } {
  if (typeof x !== 'object' || x === null) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * Decodes a message value. A JSON or MessagePack document must be an object, a string, or (for
 * MessagePack) bytes, since a record value is one of those; anything else is reported, not thrown.
 * MessagePack is checked first ({@link msgpackProblem}): 0xC1, extension types (timestamps) and
 * values JSON cannot hold are reported, not decoded into look-alikes.
 */
export function decodeValue(bytes: Buffer | null, encoding: ValueEncoding): Decoded {
  if (bytes === null) return { ok: false, reason: 'message has no value (tombstone)' };
  if (encoding === 'raw') return { ok: true, value: bytes };
  if (encoding === 'msgpack') {
    const problem = msgpackProblem(bytes);
    if (problem !== undefined) return { ok: false, reason: `not a record value in msgpack: ${problem}` };
  }
  let parsed: unknown;
  try {
    parsed = encoding === 'json' ? JSON.parse(bytes.toString('utf8')) : unpackMsgpack(bytes);
  } catch (error) {
    return { ok: false, reason: `not valid ${encoding}: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof parsed === 'string' || isPlainObject(parsed)) return { ok: true, value: parsed };
  if (parsed instanceof Uint8Array) return { ok: true, value: parsed };
  const what = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed;
  return { ok: false, reason: `${encoding} value is ${what}, expected an object or a string` };
}
