import { isUtf8 } from 'node:buffer';

/**
 * A record key or header value. Bytes that are valid UTF-8 become text (decoding and encoding
 * valid UTF-8 gives back the same bytes); anything else stays bytes, so binary keys and headers
 * pass through millrace unchanged.
 */
export type TextOrBytes = string | Uint8Array;

/** Text when `bytes` is valid UTF-8, else a copy of the bytes. */
export function textOrBytes(bytes: Uint8Array): TextOrBytes {
  return isUtf8(bytes) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : Uint8Array.prototype.slice.call(bytes);
}

/** The bytes of a key or header value. */
export function bytesOf(v: TextOrBytes): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Byte length of a key or header value. */
export function byteLengthOf(v: TextOrBytes): number {
  return typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.byteLength;
}

/** A key or header value as text, for display and routing (bytes that are not UTF-8 get U+FFFD). */
export function textOf(v: TextOrBytes): string {
  return typeof v === 'string' ? v : bytesOf(v).toString('utf8');
}

/** Headers as text, for display. */
export function headersText(headers: Record<string, TextOrBytes>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(headers)) out[name] = textOf(v);
  return out;
}
