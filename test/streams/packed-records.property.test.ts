import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { packRecords, transferOf, unpackRecords, type PackedRecords } from '../../src/streams/packed-records.js';
import type { Json, LogRecord, Payload } from '../../src/streams/record.js';

// Structured payloads are JSON values (parsed lines): -0 is not one (JSON writes it as 0).
const jsonValue = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as Json);
const json: fc.Arbitrary<{ [key: string]: Json }> = fc.dictionary(fc.string(), jsonValue, { noNullPrototype: true });
const payload: fc.Arbitrary<Payload> = fc.oneof(fc.string(), fc.uint8Array(), json);
const record: fc.Arbitrary<LogRecord> = fc.record(
  {
    value: payload,
    ts: fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0))),
    key: fc.string(),
    stream: fc.string(),
    headers: fc.dictionary(fc.string(), fc.string(), { noNullPrototype: true }),
  },
  { requiredKeys: ['value', 'ts'], noNullPrototype: true },
);

/** Moves a packed batch through a real message port with a transfer list, as between threads. */
function moved(packed: PackedRecords): PackedRecords {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(packed, transferOf(packed));
  const got = receiveMessageOnPort(port2)?.message as PackedRecords;
  port1.close();
  return got;
}

describe('packed records', () => {
  it('round-trip every record, field and type exactly, through a transfer', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 50 }), (records) => {
        const packed = packRecords(records);
        const out = unpackRecords(moved(packed));
        expect(out).toStrictEqual(records.map((r) => (r.value instanceof Uint8Array ? { ...r, value: expect.any(Uint8Array) } : r)));
        out.forEach((r, i) => {
          const value = (records[i] as LogRecord).value;
          if (value instanceof Uint8Array) expect(Array.from(r.value as Uint8Array)).toEqual(Array.from(value));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('keep a key named __proto__ (which the encoding would rename) by cloning that batch instead', () => {
    const fields: { [key: string]: string } = {};
    Object.defineProperty(fields, '__proto__', { value: 'x', enumerable: true, writable: true, configurable: true });
    const records: LogRecord[] = [{ value: { app: 'shop', fields }, ts: 1 }, { value: 'a', ts: 2, headers: JSON.parse('{"__proto__":"h"}') as Record<string, string> }];
    const packed = packRecords(records);
    expect('bytes' in packed).toBe(false);
    expect(unpackRecords(moved(packed))).toStrictEqual(records);
  });

  it('carry everything they need: a decoder with no state of the encoder reads them', () => {
    fc.assert(
      fc.property(fc.array(record.filter((r) => !(r.value instanceof Uint8Array)), { maxLength: 30 }), (records) => {
        const packed = packRecords(records);
        if ('bytes' in packed) expect(new Packr({ useRecords: true, moreTypes: false, int64AsType: 'number' }).unpack(packed.bytes)).toStrictEqual(records);
      }),
    );
  });

  it('move instead of copying: the buffer holds only the batch and is detached from the sender', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 50 }), (records) => {
        const packed = packRecords(records);
        fc.pre('bytes' in packed);
        expect(packed.bytes.byteOffset).toBe(0);
        expect(packed.bytes.buffer.byteLength).toBe(packed.bytes.byteLength);
        const sent = packed.bytes;
        moved(packed);
        expect(sent.buffer.byteLength).toBe(0);
      }),
    );
  });

  it('keep memory bounded: the encoding is at most about the size of the records as JSON, and nothing accumulates', () => {
    fc.assert(
      fc.property(fc.array(record.filter((r) => !(r.value instanceof Uint8Array)), { minLength: 1, maxLength: 50 }), (records) => {
        const packed = packRecords(records);
        fc.pre('bytes' in packed);
        expect(packed.bytes.byteLength).toBeLessThanOrEqual(2 * Buffer.byteLength(JSON.stringify(records)) + 64);
      }),
    );
    // Many batches through the transfer: the heap returns near its start (the encoder keeps no per-batch state).
    const batch = Array.from({ length: 1000 }, (_, i): LogRecord => ({ value: { app: 'shop', event: 'ad_show', user: `u${i}`, fields: { ad: 'a17' } }, ts: 1_700_000_000_000 + i, headers: { file: 'hdfs-a:/x.gz', line: String(i + 1) } }));
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 2000; i++) unpackRecords(moved(packRecords(batch)));
    global.gc?.();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });
});
