import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { compressFrameSync } from 'lz4-napi';
import { lz4Blocks } from '../formats/lz4-frame.js';
import { LinkProtocolError } from './protocol-error.js';

/**
 * How a sender compresses its data frames. LZ4 costs least CPU (the default, right on a LAN or a
 * fast WAN); Brotli with a 4 MiB window sends about half the bytes of LZ4 on log-like records at
 * several times the CPU, for links where bandwidth is what is short. The receiver reads either:
 * each data frame names its codec.
 */
export type LinkCompression = { codec: 'lz4' } | { codec: 'brotli'; quality: number };

/** Codec byte of a data frame. */
export const CODEC_IDS = { lz4: 1, brotli: 2 } as const;
export type CodecId = (typeof CODEC_IDS)[keyof typeof CODEC_IDS];

const BROTLI_WINDOW_BITS = 22;
/** Brotli quality when the config names none. */
export const DEFAULT_BROTLI_QUALITY = 4;
const brotliCompress = promisify(zlib.brotliCompress);

/**
 * Compresses a frame body. Brotli runs on libuv's thread pool, so the sender's event loop (and
 * its Kafka source) keep a core while it works; LZ4 is quicker done inline than handed over.
 */
export async function compressBody(raw: Buffer, compression: LinkCompression): Promise<{ codec: CodecId; payload: Buffer }> {
  if (compression.codec === 'lz4') return { codec: CODEC_IDS.lz4, payload: compressFrameSync(raw) };
  const payload = await brotliCompress(raw, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: compression.quality,
      [zlib.constants.BROTLI_PARAM_LGWIN]: BROTLI_WINDOW_BITS,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  return { codec: CODEC_IDS.brotli, payload };
}

/**
 * Decompresses a frame body, refusing to inflate past `rawLength` (the size the frame declares),
 * so a hostile frame cannot make the receiver allocate without bound.
 */
export function inflateBody(codec: number, payload: Buffer, rawLength: number): Buffer {
  if (codec === CODEC_IDS.lz4) return inflateLz4(payload, rawLength);
  if (codec === CODEC_IDS.brotli) return inflateBrotli(payload, rawLength);
  throw new LinkProtocolError(`data frame names codec ${codec}; this receiver reads ${CODEC_IDS.lz4} (lz4) and ${CODEC_IDS.brotli} (brotli)`);
}

function inflateLz4(payload: Buffer, rawLength: number): Buffer {
  const raw = Buffer.allocUnsafe(rawLength);
  let at = 0;
  try {
    for (const block of lz4Blocks(payload)) {
      if (at + block.length > rawLength) throw new LinkProtocolError(`batch inflates past its declared ${rawLength} bytes`);
      raw.set(block, at);
      at += block.length;
    }
  } catch (err) {
    if (err instanceof LinkProtocolError) throw err;
    throw new LinkProtocolError(`batch is not a valid LZ4 frame: ${(err as Error).message}`);
  }
  if (at !== rawLength) throw new LinkProtocolError(`batch inflates to ${at} bytes, the frame declares ${rawLength}`);
  return raw;
}

function inflateBrotli(payload: Buffer, rawLength: number): Buffer {
  let raw: Buffer;
  try {
    // One byte more than declared, so inflating past it is told apart from inflating to it exactly.
    raw = zlib.brotliDecompressSync(payload, { maxOutputLength: rawLength + 1 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new LinkProtocolError(`batch inflates past its declared ${rawLength} bytes`);
    throw new LinkProtocolError(`batch is not a valid Brotli stream: ${(err as Error).message}`);
  }
  if (raw.length > rawLength) throw new LinkProtocolError(`batch inflates past its declared ${rawLength} bytes`);
  if (raw.length !== rawLength) throw new LinkProtocolError(`batch inflates to ${raw.length} bytes, the frame declares ${rawLength}`);
  return raw;
}
