import fc from 'fast-check';
import { compressFrameSync } from 'lz4-napi';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader, LINK_VERSION, type Frame } from '../../src/link/frame.js';
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

const data = (records: WireRecord[], first = 1): Frame => {
  const { raw, compressed } = compressRecords(records);
  return { type: 'data', first, count: records.length, rawLength: raw, payload: compressed };
};

const sample: WireRecord = { topic: 'orders', partition: 3, offset: '42', ts: 1_700_000_000_000, key: Buffer.from('k'), value: Buffer.from('v'.repeat(500)), headers: [['h', Buffer.from('x')]] };

describe('link frames', () => {
  it('round-trip any record batch through compression and frames cut into any slices', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 5000 }), (records, slice) => {
        const frames: Frame[] = [{ type: 'hello', link: 'dc1->dc2', nonce: Buffer.alloc(16, 7) }, data(records, 7), { type: 'ack', persisted: 2 ** 53 - 1 }];
        const wire = Buffer.concat(frames.map(encodeFrame));
        const got = readAll(new FrameReader(), wire, slice);
        expect(got).toHaveLength(3);
        expect(got[0]).toEqual(frames[0]);
        expect(got[2]).toEqual(frames[2]);
        const d = got[1] as Extract<Frame, { type: 'data' }>;
        expect(d.first).toBe(7);
        expect(decompressRecords(d.payload, d.rawLength, d.count)).toEqual(records);
      }),
      { numRuns: 200 },
    );
  });

  it('encoded records shipped as they are queued (joined, compressed, split again) are the records sent, in order', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 20 }), (records) => {
        const encoded = records.map(encodeRecord);
        const { raw, compressed } = compressEncoded(encoded);
        expect(raw).toBe(encodeRecords(records).length);
        const split = decompressEncoded(compressed, raw, records.length);
        expect(split.map((e) => ({ topic: e.topic, ts: e.ts }))).toEqual(records.map((r) => ({ topic: r.topic, ts: r.ts })));
        expect(split.map((e) => decodeRecords(e.bytes, 1)[0])).toEqual(records);
        expect(decompressRecords(compressed, raw, records.length)).toEqual(records);
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

  it('decodes a frame fed one byte at a time', () => {
    const wire = encodeFrame(data([sample, sample], 5));
    const reader = new FrameReader();
    const got = readAll(reader, wire, 1);
    expect(got).toHaveLength(1);
    expect(reader.pending).toBe(0);
  });

  it('refuses a bad CRC: a flipped bit anywhere in the body', () => {
    const wire = encodeFrame(data([sample]));
    for (const at of [10, 20, wire.length - 1]) {
      const bad = Buffer.from(wire);
      bad[at] = (bad[at] as number) ^ 1;
      expect(() => readAll(new FrameReader(), bad, 64)).toThrow(/CRC mismatch on a data frame/);
    }
  });

  it('keeps a truncated frame pending and yields nothing from it', () => {
    const wire = encodeFrame(data([sample]));
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
    const zero = encodeFrame({ type: 'data', first: 0, count: 1, rawLength: 0, payload: Buffer.alloc(0) });
    expect(() => readAll(new FrameReader(), zero, 100)).toThrow(/first 0 and count 1/);
  });

  it('refuses a batch that inflates past its declared size or is not LZ4', () => {
    const raw = encodeRecords([sample]);
    const compressed = compressFrameSync(raw);
    expect(() => decompressRecords(compressed, raw.length - 1, 1)).toThrow(/inflates past its declared/);
    expect(() => decompressRecords(Buffer.from('not lz4 at all'), 10, 1)).toThrow(/not a valid LZ4 frame/);
    expect(() => decompressRecords(compressed, raw.length, 2)).toThrow(/cut short/);
    expect(() => decompressRecords(compressed, raw.length, 1)).not.toThrow();
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
