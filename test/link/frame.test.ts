import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader, LINK_VERSION, type Frame } from '../../src/link/frame.js';
import { CODEC_IDS, type LinkCompression } from '../../src/link/frame-codec.js';
import { LinkProtocolError } from '../../src/link/protocol-error.js';
import { ReceiverSequence } from '../../src/link/sequence.js';
import { compressEncoded, compressRecords, decodeRecords, decompressEncoded, decompressRecords, encodeRecord, encodeRecords, splitRecords, type WireRecord } from '../../src/link/wire-record.js';

const bytes = (max: number): fc.Arbitrary<Buffer> => fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b));
const recordArb: fc.Arbitrary<WireRecord> = fc.record({
  topic: fc.string({ minLength: 1, maxLength: 40 }),
  partition: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  offset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
  ts: fc.double({ noNaN: true }),
  key: fc.option(bytes(40)),
  value: fc.option(bytes(2000)),
  headers: fc.array(fc.tuple(fc.string({ maxLength: 20 }), bytes(30)), { maxLength: 4 }),
});

function readAll(reader: FrameReader, wire: Buffer, slice: number): Frame[] {
  const out: Frame[] = [];
  for (let i = 0; i < wire.length; i += slice) out.push(...reader.push(wire.subarray(i, i + slice)));
  return out;
}

const compressionArb: fc.Arbitrary<LinkCompression> = fc.oneof(fc.constant({ codec: 'lz4' as const }), fc.integer({ min: 0, max: 11 }).map((quality) => ({ codec: 'brotli' as const, quality })));

const data = async (records: WireRecord[], first = 1, compression?: LinkCompression): Promise<Frame> => ({ type: 'data', first, count: records.length, ...(await compressRecords(records, compression)) });

const sample: WireRecord = { topic: 'orders', partition: 3, offset: '42', ts: 1_700_000_000_000, key: Buffer.from('k'), value: Buffer.from('v'.repeat(500)), headers: [['h', Buffer.from('x')]] };

describe('link frames', () => {
  it('round-trip any record batch through either codec and frames cut into any slices', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 5000 }), compressionArb, async (records, slice, compression) => {
        const frames: Frame[] = [{ type: 'hello', link: 'dc1->dc2', nonce: Buffer.alloc(16, 7) }, await data(records, 7, compression), { type: 'ack', persisted: 2 ** 53 - 1 }];
        const wire = Buffer.concat(frames.map(encodeFrame));
        const got = readAll(new FrameReader(), wire, slice);
        expect(got).toHaveLength(3);
        expect(got[0]).toEqual(frames[0]);
        expect(got[2]).toEqual(frames[2]);
        const d = got[1] as Extract<Frame, { type: 'data' }>;
        expect(d.first).toBe(7);
        expect(d.codec).toBe(CODEC_IDS[compression.codec]);
        expect(decompressRecords(d, d.count)).toEqual(records);
      }),
      { numRuns: 200 },
    );
  });

  it('encoded records shipped as they are queued (joined, compressed, split again) are the records sent, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { minLength: 1, maxLength: 20 }), compressionArb, async (records, compression) => {
        const encoded = records.map(encodeRecord);
        const batch = await compressEncoded(encoded, compression);
        expect(batch.rawLength).toBe(encodeRecords(records).length);
        const split = decompressEncoded(batch, records.length);
        expect(split.map((e) => ({ topic: e.topic, ts: e.ts }))).toEqual(records.map((r) => ({ topic: r.topic, ts: r.ts })));
        expect(split.map((e) => decodeRecords(e.bytes, 1)[0])).toEqual(records);
        expect(decompressRecords(batch, records.length)).toEqual(records);
      }),
      { numRuns: 200 },
    );
  });

  it('a body cut short, grown or corrupted is refused by the split exactly when the full decode refuses it', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 5 }), fc.nat(), fc.integer({ min: -3, max: 3 }), fc.uint8Array({ minLength: 1, maxLength: 4 }), (records, at, countDelta, garbage) => {
        const body = encodeRecords(records);
        const cut = at % (body.length + 1);
        const bad = Buffer.concat([body.subarray(0, cut), Buffer.from(garbage), body.subarray(cut)]);
        const count = Math.max(0, records.length + countDelta);
        for (const candidate of [body.subarray(0, cut), bad]) {
          const outcome = (read: () => unknown): string => {
            try {
              read();
              return 'ok';
            } catch (err) {
              expect(err).toBeInstanceOf(LinkProtocolError);
              return 'refused';
            }
          };
          expect(outcome(() => splitRecords(candidate, count))).toBe(outcome(() => decodeRecords(candidate, count)));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('decodes a frame fed one byte at a time', async () => {
    const wire = encodeFrame(await data([sample, sample], 5));
    const reader = new FrameReader();
    const got = readAll(reader, wire, 1);
    expect(got).toHaveLength(1);
    expect(reader.pending).toBe(0);
  });

  it('refuses a bad CRC: a flipped bit anywhere in the body', async () => {
    const wire = encodeFrame(await data([sample]));
    for (const at of [10, 20, wire.length - 1]) {
      const bad = Buffer.from(wire);
      bad[at] = (bad[at] as number) ^ 1;
      expect(() => readAll(new FrameReader(), bad, 64)).toThrow(/CRC mismatch on a data frame/);
    }
  });

  it('keeps a truncated frame pending and yields nothing from it', async () => {
    const wire = encodeFrame(await data([sample]));
    const reader = new FrameReader();
    expect(readAll(reader, wire.subarray(0, wire.length - 1), 7)).toEqual([]);
    expect(reader.pending).toBe(wire.length - 1);
  });

  it('refuses a wrong protocol version before buffering the frame', () => {
    const wire = encodeFrame({ type: 'ack', persisted: 1 });
    wire[4] = LINK_VERSION + 1;
    expect(() => readAll(new FrameReader(), wire.subarray(0, 10), 10)).toThrow(`protocol version ${LINK_VERSION + 1}, this side speaks ${LINK_VERSION}`);
  });

  it('refuses an oversized length prefix as soon as the header arrives', () => {
    const head = Buffer.alloc(10);
    head.writeUInt32BE(0xfffffff0, 0);
    head[4] = LINK_VERSION;
    expect(() => readAll(new FrameReader(1024), head, 10)).toThrow(/length prefix 4294967280 exceeds the 1024-byte frame limit/);
  });

  it('refuses garbage: random bytes never decode into a frame', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 10, maxLength: 300 }), (garbage) => {
        const reader = new FrameReader(4096);
        try {
          const got = readAll(reader, Buffer.from(garbage), 300);
          // Without a valid version, length and CRC, at most a header's worth waits for more.
          expect(got).toEqual([]);
        } catch (err) {
          expect(err).toBeInstanceOf(LinkProtocolError);
        }
      }),
      { numRuns: 500 },
    );
    expect(() => readAll(new FrameReader(), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 100)).toThrow(LinkProtocolError);
  });

  it('refuses unknown frame types and malformed bodies with the reason', () => {
    const unknown = encodeFrame({ type: 'ack', persisted: 1 });
    unknown[5] = 99;
    expect(() => readAll(new FrameReader(), unknown, 100)).toThrow(/CRC|unknown frame type 99/);
    const zero = encodeFrame({ type: 'data', first: 0, count: 1, rawLength: 0, codec: CODEC_IDS.lz4, payload: Buffer.alloc(0) });
    expect(() => readAll(new FrameReader(), zero, 100)).toThrow(/first 0 and count 1/);
  });

  it.each([{ codec: 'lz4' as const, name: 'LZ4 frame' }, { codec: 'brotli' as const, quality: 4, name: 'Brotli stream' }])(
    'refuses a $codec batch that inflates past or short of its declared size or is not a $name, and an unknown codec',
    async ({ name, ...compression }) => {
      const batch = await compressRecords([sample], compression);
      expect(() => decompressRecords({ ...batch, rawLength: batch.rawLength - 1 }, 1)).toThrow(/inflates past its declared/);
      expect(() => decompressRecords({ ...batch, rawLength: batch.rawLength + 1 }, 1)).toThrow(/inflates to \d+ bytes, the frame declares/);
      expect(() => decompressRecords({ ...batch, payload: Buffer.from('not compressed at all') }, 1)).toThrow(new RegExp(`not a valid ${name}`));
      expect(() => decompressRecords(batch, 2)).toThrow(/cut short/);
      expect(() => decompressRecords({ ...batch, codec: 9 }, 1)).toThrow(/names codec 9/);
      expect(decompressRecords(batch, 1)).toEqual([sample]);
    },
  );

  it('a brotli frame of log-like records takes under 0.7 of the bytes of the LZ4 one', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => ({ ...sample, offset: String(i), value: Buffer.from(`{"ts":"2026-12-07T06:${String(i % 60).padStart(2, '0')}:00Z","level":"${['INFO', 'WARN'][i % 2]}","path":"/api/v2/cart/${(i * 7919) % 100000}","msg":"request served id=${(i * 104729) % 10000000}"}`) }));
    const lz4 = await compressRecords(lines, { codec: 'lz4' });
    const brotli = await compressRecords(lines, { codec: 'brotli', quality: 4 });
    expect(brotli.payload.length).toBeLessThan(lz4.payload.length * 0.7);
  });
});

describe('receiver sequence admission', () => {
  it('drops a resend it already has, trims an overlapping one, refuses a gap', () => {
    const r = new ReceiverSequence(10);
    expect(r.admit(5, 6)).toEqual({ action: 'duplicate' });
    expect(r.admit(9, 4)).toEqual({ action: 'append', skip: 2, take: 2 });
    expect(r.accepted).toBe(12);
    expect(() => r.admit(14, 1)).toThrow(/gap: frame starts at 14 but 13 is next/);
    expect(r.durable(12)).toBe(12);
  });
});
