import { Packr } from 'msgpackr';
import { textOrBytes } from '../core/text-or-bytes.js';
import type { LogRecord } from '../streams/record.js';

/** What a connection's bytes held: a record, a frame to dead-letter (the connection goes on), or a reason to close it. */
export type Frame = { record: LogRecord } | { malformed: string; raw: Buffer } | { fatal: string };

/** Cuts a connection's (or a datagram's) bytes into frames. */
export interface FrameReader {
  push(chunk: Buffer): Frame[];
}

const SPACE = 0x20;
const NEWLINE = 0x0a;
const CR = 0x0d;

/** A line's record: `<logId> <payload>`, the payload kept as bytes. */
export function lineFrame(line: Buffer, now: number): Frame {
  const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
  const space = line.indexOf(SPACE);
  if (space <= 0 || space >= end) return { malformed: `line protocol: expected "<logId> <payload>", got ${space === 0 ? 'an empty logId' : 'no space after the logId'}`, raw: Buffer.from(line) };
  return { record: { stream: line.toString('utf8', 0, space), value: Uint8Array.prototype.slice.call(line, space + 1, end), ts: now } };
}

/**
 * The line protocol: one record per `\n`-terminated line, `<logId> <payload>`. A line longer than
 * `maxBytes` is dead-lettered (its first `maxBytes` bytes) and skipped up to its newline.
 */
export class LineReader implements FrameReader {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private skipping = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): Frame[] {
    const out: Frame[] = [];
    const now = Date.now();
    let from = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, from)) {
      const piece = chunk.subarray(from, nl);
      from = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      if (this.bufferedBytes + piece.length > this.maxBytes) {
        out.push(this.tooLong(piece));
        this.skipping = false;
        continue;
      }
      const line = this.bufferedBytes === 0 ? piece : Buffer.concat([...this.buffered, piece]);
      this.buffered = [];
      this.bufferedBytes = 0;
      out.push(lineFrame(line, now));
    }
    const rest = chunk.subarray(from);
    if (rest.length > 0 && !this.skipping) {
      if (this.bufferedBytes + rest.length > this.maxBytes) {
        out.push(this.tooLong(rest));
        this.skipping = true;
      } else {
        this.buffered.push(Buffer.from(rest));
        this.bufferedBytes += rest.length;
      }
    }
    return out;
  }

  private tooLong(tail: Buffer): Frame {
    const raw = Buffer.concat([...this.buffered, tail]).subarray(0, this.maxBytes);
    this.buffered = [];
    this.bufferedBytes = 0;
    return { malformed: `line protocol: line longer than maxFrameBytes (${this.maxBytes})`, raw: Buffer.from(raw) };
  }
}

// Plain MessagePack maps, as every client library writes them.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

/** A msgpack frame's record, or why it is not one. */
export function msgpackFrame(body: Buffer, now: number): Frame {
  let m: unknown;
  try {
    m = packr.unpack(body);
  } catch (err) {
    return { malformed: `msgpack frame: not MessagePack (${(err as Error).message})`, raw: Buffer.from(body) };
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m) || m instanceof Uint8Array) return { malformed: 'msgpack frame: expected a map { logId, value, key?, ts?, headers? }', raw: Buffer.from(body) };
  const f = m as Record<string, unknown>;
  const bad = (why: string): Frame => ({ malformed: `msgpack frame: ${why}`, raw: Buffer.from(body) });
  if (typeof f.logId !== 'string' || f.logId === '') return bad('logId must be a non-empty string');
  if (typeof f.value !== 'string' && !(f.value instanceof Uint8Array)) return bad('value must be a string or bytes');
  if (f.key !== undefined && typeof f.key !== 'string' && !(f.key instanceof Uint8Array)) return bad('key must be a string or bytes');
  if (f.ts !== undefined && (typeof f.ts !== 'number' || !Number.isFinite(f.ts))) return bad('ts must be a number (ms since the epoch)');
  // A copy: msgpackr's bytes are views into the whole received chunk.
  const value = typeof f.value === 'string' ? f.value : new Uint8Array(f.value);
  const record: LogRecord = { stream: f.logId, value, ts: (f.ts as number | undefined) ?? now };
  if (f.key !== undefined) record.key = f.key instanceof Uint8Array ? textOrBytes(f.key) : f.key;
  if (f.headers !== undefined) {
    if (typeof f.headers !== 'object' || f.headers === null || Array.isArray(f.headers) || f.headers instanceof Uint8Array) return bad('headers must be a map of strings or bytes');
    const headers: Record<string, string | Uint8Array> = {};
    for (const [k, v] of Object.entries(f.headers)) {
      if (typeof v !== 'string' && !(v instanceof Uint8Array)) return bad(`header ${k} must be a string or bytes`);
      headers[k] = v instanceof Uint8Array ? textOrBytes(v) : v;
    }
    record.headers = headers;
  }
  return { record };
}

/**
 * The length-prefixed form: a big-endian u32 byte count, then that many bytes of MessagePack
 * `{ logId, value, key?, ts?, headers? }`. A frame that does not decode is dead-lettered and the
 * next one read; a length of 0 or above `maxBytes` means the stream cannot be followed any more
 * (a broken prefix): the connection is closed with that reason.
 */
export class MsgpackReader implements FrameReader {
  private pending: Buffer = Buffer.alloc(0);
  private broken = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): Frame[] {
    if (this.broken) return [];
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Frame[] = [];
    const now = Date.now();
    let at = 0;
    while (data.length - at >= 4) {
      const length = data.readUInt32BE(at);
      if (length === 0 || length > this.maxBytes) {
        this.broken = true;
        out.push({ fatal: `msgpack form: frame length ${length} at byte ${at} is ${length === 0 ? 'zero' : `above maxFrameBytes (${this.maxBytes})`}: the length prefix is broken, closing the connection` });
        return out;
      }
      if (data.length - at - 4 < length) break;
      out.push(msgpackFrame(data.subarray(at + 4, at + 4 + length), now));
      at += 4 + length;
    }
    this.pending = Buffer.from(data.subarray(at));
    return out;
  }
}

/**
 * One datagram, one record: in the line form the datagram is the line (its `\n` optional); in the
 * msgpack form it is one length-prefixed frame, whose prefix must match the datagram's length.
 */
export function datagramFrame(datagram: Buffer, format: 'line' | 'msgpack', maxBytes: number): Frame {
  const now = Date.now();
  if (datagram.length > maxBytes + (format === 'msgpack' ? 4 : 1)) return { malformed: `datagram of ${datagram.length} bytes is above maxFrameBytes (${maxBytes})`, raw: Buffer.from(datagram.subarray(0, maxBytes)) };
  if (format === 'line') return lineFrame(datagram[datagram.length - 1] === NEWLINE ? datagram.subarray(0, -1) : datagram, now);
  const length = datagram.length >= 4 ? datagram.readUInt32BE(0) : -1;
  if (length !== datagram.length - 4) return { malformed: `msgpack datagram: length prefix ${length} does not match the ${datagram.length - 4} bytes after it`, raw: Buffer.from(datagram) };
  return msgpackFrame(datagram.subarray(4), now);
}

/** Encodes one record in the length-prefixed msgpack form (for clients and tests). */
export function encodeMsgpackFrame(frame: { logId: string; value: string | Uint8Array; key?: string | Uint8Array; ts?: number; headers?: Record<string, string | Uint8Array> }): Buffer {
  const body = packr.pack(frame);
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}
