import { describe, expect, it } from 'vitest';
import { decodeStream } from '../../src/formats/codecs.js';
import { xxh64 } from '../../src/formats/xxh64.js';
import { rawZstdFrame } from '../../src/sample/zstd.js';
import { checkedRawFrame, flipped, hasZstd, zstdTool } from './zstd-frames.js';
import { missingPart } from '../real-part.js';

const zstdMissing = missingPart(hasZstd, 'the zstd tool', 'apt-get install zstd');

/** Log-like lines, about 40 bytes each. */
function lines(count: number, tag = 'app'): Buffer {
  let s = '';
  for (let i = 1; i <= count; i++)
    s += `2026-11-20T08:15:02Z ${tag} n=${i} v=${(i * 7919) % 1000}\n`;
  return Buffer.from(s);
}

function runOf(length: number): Buffer {
  return Buffer.concat([Buffer.alloc(length, 0x2d), Buffer.from('\n')]);
}

/**
 * Everything zstd decoding yields, as latin1 text (vitest compares long strings far faster than
 * long buffers), and the error it ends with, if any.
 */
async function unzstd(input: Uint8Array): Promise<{ text: string; error: unknown }> {
  const pieces: Uint8Array[] = [];
  let error: unknown;
  try {
    for await (const piece of decodeStream('zstd', input, 1 << 20)) pieces.push(piece);
  } catch (thrown) {
    error = thrown;
  }
  return { text: Buffer.concat(pieces).toString('latin1'), error };
}

function latin1(bytes: Buffer): string {
  return bytes.toString('latin1');
}

function mismatchAt(frameAt: number): RegExp {
  return new RegExp(
    `^zstd content checksum mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8} \\(frame at compressed byte ${frameAt}\\)$`,
  );
}

describe('zstd content checksums', () => {
  it.skipIf(zstdMissing)(
    'verifies the checksum the zstd tool writes, and rejects the file when that checksum is altered',
    async () => {
      const text = lines(10_000);
      const file = zstdTool(text);
      expect((file[4] as number) & 0x04).toBe(0x04);
      expect(await unzstd(file)).toEqual({ text: latin1(text), error: undefined });
      const altered = await unzstd(flipped(file, file.length - 1, 0x01));
      expect(altered.text).toBe(latin1(text));
      expect((altered.error as Error).message).toMatch(mismatchAt(0));
    },
  );

  it.skipIf(zstdMissing)(
    'checks every frame of a multi-frame file, past RLE blocks and a skippable frame, and names the damaged frame',
    async () => {
      // b holds a long run, which zstd stores in RLE blocks (one byte each in the file).
      const [a, b, c] = [lines(3000, 'a'), runOf(300_000), lines(4000, 'c')];
      const skippable = Buffer.from([0x53, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
      const frames = [zstdTool(a), skippable, zstdTool(b, '--no-check'), zstdTool(c)];
      const file = Buffer.concat(frames);
      const all = latin1(Buffer.concat([a, b, c]));
      expect(await unzstd(file)).toEqual({ text: all, error: undefined });
      // A damaged stored checksum in the first frame stops decoding there; in the last, at the end.
      const firstEnd = (frames[0] as Buffer).length;
      const early = await unzstd(flipped(file, firstEnd - 1, 0x80));
      expect(early.text).toBe(latin1(a));
      expect((early.error as Error).message).toMatch(mismatchAt(0));
      const late = await unzstd(flipped(file, file.length - 2, 0x80));
      expect(late.text).toBe(all);
      const lastAt = file.length - (frames[3] as Buffer).length;
      expect((late.error as Error).message).toMatch(mismatchAt(lastAt));
    },
  );

  it('rejects a hand-built raw-block frame with one content byte flipped, after delivering every decoded byte', async () => {
    const text = lines(8000); // three raw blocks of at most 128 KiB
    const frame = checkedRawFrame(text);
    expect(await unzstd(frame)).toEqual({ text: latin1(text), error: undefined });
    // A content byte of the last block: 500 bytes before the content's end, 4 before the frame's.
    const damaged = await unzstd(flipped(frame, frame.length - 4 - 500));
    expect(damaged.text).toBe(latin1(flipped(text, text.length - 500)));
    const stored = Number(xxh64(text) & 0xffffffffn)
      .toString(16)
      .padStart(8, '0');
    expect((damaged.error as Error).message).toMatch(mismatchAt(0));
    expect((damaged.error as Error).message).toContain(`stored 0x${stored}, computed 0x`);
  });

  it('decodes a frame without a checksum, where damage that keeps the blocks valid goes unseen', async () => {
    const text = lines(2000);
    const frame = rawZstdFrame(text);
    expect((frame[4] as number) & 0x04).toBe(0);
    expect(await unzstd(frame)).toEqual({ text: latin1(text), error: undefined });
    expect(await unzstd(flipped(frame, frame.length - 10))).toEqual({
      text: latin1(flipped(text, text.length - 10)),
      error: undefined,
    });
  });
});
