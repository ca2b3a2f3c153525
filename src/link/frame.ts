import { crc32c } from '../transport/kafka-wire/crc32c.js';
import { LinkProtocolError } from './protocol-error.js';

/** Version byte of every frame; a peer speaking another version is refused (2: nonces and the shared-secret handshake; 3: data frames name their codec). */
export const LINK_VERSION = 3;
/** Bytes of a handshake nonce. */
export const NONCE_BYTES = 16;
/** Bytes of a handshake proof (HMAC-SHA256). */
export const PROOF_BYTES = 32;
/** Length prefix + version + type + CRC. */
export const FRAME_HEADER_BYTES = 10;
/** First sequence number, count, raw length, codec. */
const DATA_HEADER_BYTES = 17;
/** Default largest frame a peer may announce (the length prefix is checked before buffering). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** A link frame, as the connection reads and writes it (see docs/decisions/mirror-link.md). */
export type Frame =
  /** Sender -> receiver, first on a connection: the link and a fresh nonce. */
  | { type: 'hello'; link: string; nonce: Buffer }
  /** Receiver with a shared secret -> sender, answering hello: its nonce and its proof of the secret. */
  | { type: 'challenge'; nonce: Buffer; proof: Buffer }
  /** Sender -> receiver, answering challenge: its proof of the secret. */
  | { type: 'auth'; proof: Buffer }
  /** Receiver -> sender, the answer: the highest sequence number it has persisted (0: none). */
  | { type: 'welcome'; persisted: number }
  /** Sender -> receiver: `count` records with sequence numbers `first .. first + count - 1`, compressed with `codec` (see frame-codec.ts). */
  | { type: 'data'; first: number; count: number; rawLength: number; codec: number; payload: Buffer }
  /** Receiver -> sender: every sequence number up to `persisted` is durable (cumulative). */
  | { type: 'ack'; persisted: number }
  /** Either side, just before closing: why. */
  | { type: 'refuse'; reason: string };

const TYPE_CODES = { hello: 1, welcome: 2, data: 3, ack: 4, refuse: 5, challenge: 6, auth: 7 } as const;
const TYPE_NAMES = ['', 'hello', 'welcome', 'data', 'ack', 'refuse', 'challenge', 'auth'] as const;

function u64(buf: Buffer, at: number, what: string): number {
  const v = buf.readBigUInt64BE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new LinkProtocolError(`${what} ${v} is past 2^53`);
  return Number(v);
}

function body(frame: Frame): Buffer {
  switch (frame.type) {
    case 'hello':
      return Buffer.concat([frame.nonce, Buffer.from(frame.link, 'utf8')]);
    case 'challenge':
      return Buffer.concat([frame.nonce, frame.proof]);
    case 'auth':
      return frame.proof;
    case 'refuse':
      return Buffer.from(frame.reason, 'utf8');
    case 'welcome':
    case 'ack': {
      const b = Buffer.allocUnsafe(8);
      b.writeBigUInt64BE(BigInt(frame.persisted));
      return b;
    }
    case 'data': {
      const b = Buffer.allocUnsafe(DATA_HEADER_BYTES + frame.payload.length);
      b.writeBigUInt64BE(BigInt(frame.first));
      b.writeUInt32BE(frame.count, 8);
      b.writeUInt32BE(frame.rawLength, 12);
      b.writeUInt8(frame.codec, 16);
      frame.payload.copy(b, DATA_HEADER_BYTES);
      return b;
    }
  }
}

/**
 * A frame on the wire: u32 length of what follows, u8 version, u8 type, u32 CRC-32C of the body,
 * then the body.
 */
export function encodeFrame(frame: Frame): Buffer {
  const b = body(frame);
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + b.length);
  out.writeUInt32BE(6 + b.length, 0);
  out.writeUInt8(LINK_VERSION, 4);
  out.writeUInt8(TYPE_CODES[frame.type], 5);
  out.writeUInt32BE(crc32c(b), 6);
  b.copy(out, FRAME_HEADER_BYTES);
  return out;
}

function decodeBody(type: number, b: Buffer): Frame {
  const name = TYPE_NAMES[type];
  const exact = (n: number): void => {
    if (b.length !== n) throw new LinkProtocolError(`${name} frame body is ${b.length} bytes, expected ${n}`);
  };
  switch (name) {
    case 'hello':
      if (b.length < NONCE_BYTES) throw new LinkProtocolError(`hello frame body is ${b.length} bytes, shorter than its ${NONCE_BYTES}-byte nonce`);
      return { type: 'hello', nonce: b.subarray(0, NONCE_BYTES), link: b.subarray(NONCE_BYTES).toString('utf8') };
    case 'challenge':
      exact(NONCE_BYTES + PROOF_BYTES);
      return { type: 'challenge', nonce: b.subarray(0, NONCE_BYTES), proof: b.subarray(NONCE_BYTES) };
    case 'auth':
      exact(PROOF_BYTES);
      return { type: 'auth', proof: b };
    case 'refuse':
      return { type: 'refuse', reason: b.toString('utf8') };
    case 'welcome':
    case 'ack':
      exact(8);
      return { type: name, persisted: u64(b, 0, 'sequence number') };
    case 'data': {
      if (b.length < DATA_HEADER_BYTES) throw new LinkProtocolError(`data frame body is ${b.length} bytes, shorter than its ${DATA_HEADER_BYTES}-byte header`);
      const first = u64(b, 0, 'first sequence number');
      const count = b.readUInt32BE(8);
      if (first < 1 || count < 1) throw new LinkProtocolError(`data frame with first ${first} and count ${count} (both must be >= 1)`);
      return { type: 'data', first, count, rawLength: b.readUInt32BE(12), codec: b.readUInt8(16), payload: b.subarray(DATA_HEADER_BYTES) };
    }
    default:
      throw new LinkProtocolError(`unknown frame type ${type}`);
  }
}

/**
 * Cuts a byte stream into frames, however it arrives (one byte at a time or many frames per
 * chunk). Checks each length prefix against `maxFrameBytes` before buffering the frame, then the
 * version and the CRC; any breach throws {@link LinkProtocolError} and the reader is then unusable
 * (the connection must be closed).
 *
 * @example
 * socket.on('data', (chunk) => { for (const f of reader.push(chunk)) handle(f); });
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes received that do not yet make a whole frame (non-zero at close: a truncated frame). */
  get pending(): number {
    return this.buffered;
  }

  *push(chunk: Buffer): Generator<Frame> {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= FRAME_HEADER_BYTES) {
      const head = this.peek(FRAME_HEADER_BYTES);
      const length = head.readUInt32BE(0);
      if (length < 6) throw new LinkProtocolError(`length prefix ${length} is shorter than a frame header`);
      if (4 + length > this.maxFrameBytes)
        throw new LinkProtocolError(`length prefix ${length} exceeds the ${this.maxFrameBytes}-byte frame limit`);
      const version = head.readUInt8(4);
      if (version !== LINK_VERSION)
        throw new LinkProtocolError(`protocol version ${version}, this side speaks ${LINK_VERSION}`);
      if (this.buffered < 4 + length) return;
      const whole = this.take(4 + length);
      const b = whole.subarray(FRAME_HEADER_BYTES);
      if (crc32c(b) !== whole.readUInt32BE(6))
        throw new LinkProtocolError(`CRC mismatch on a ${TYPE_NAMES[whole.readUInt8(5)] ?? 'unknown'} frame of ${length + 4} bytes`);
      yield decodeBody(whole.readUInt8(5), b);
    }
  }

  private peek(n: number): Buffer {
    if ((this.chunks[0] as Buffer).length < n) this.chunks = [Buffer.concat(this.chunks)];
    return (this.chunks[0] as Buffer).subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.buffered -= n;
    return all.subarray(0, n);
  }
}
