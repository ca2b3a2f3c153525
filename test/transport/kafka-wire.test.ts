import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registerLz4 } from '../../src/transport/lz4-codec.js';
import { compressFrame } from 'lz4-napi';
import { ByteWriter } from '../../src/transport/kafka-wire/byte-writer.js';
import { crc32c } from '../../src/transport/kafka-wire/crc32c.js';
import { groupByPartition, murmur2 } from '../../src/transport/kafka-wire/partitioning.js';
import { CODEC, writeRecordBatch } from '../../src/transport/kafka-wire/record-batch.js';
import type { OutgoingMessage } from '../../src/transport/message-log.js';
import { bytesOf } from '../../src/core/text-or-bytes.js';

// kafkajs' own implementations are the reference the wire encoder must agree with.
const require = createRequire(import.meta.url);
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (k: string | Buffer) => number;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<{
  firstSequence: number;
  producerId: string;
  records: { key: Buffer | null; value: Buffer; headers: Record<string, Buffer>; timestamp: string; offset: string }[];
}>;

const message = fc.record(
  {
    // Text keys and header values, and bytes that need not be UTF-8.
    key: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.uint8Array({ maxLength: 40 })),
    value: fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
    // (names of Object.prototype members are left out: kafkajs decodes headers into a plain object)
    headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((n) => !(n in {})), fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.uint8Array({ maxLength: 30 })), { maxKeys: 3 }),
    timestamp: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
  },
  { requiredKeys: ['value'] },
) as fc.Arbitrary<OutgoingMessage>;

async function roundTrip(messages: OutgoingMessage[], codec: number): Promise<Awaited<ReturnType<typeof decodeBatch>>> {
  const w = new ByteWriter(16);
  const order = Int32Array.from(messages.keys());
  const compress = codec === CODEC.lz4 ? (b: Buffer) => compressFrame(b) : undefined;
  await writeRecordBatch(w, new ByteWriter(16), messages, order, 0, messages.length, { producerId: 42n, producerEpoch: 1, baseSequence: 7 }, codec, compress, 1_700_000_000_000);
  const batch = w.view();
  // The CRC covers attributes to the end; Kafka rejects a batch whose CRC does not match.
  expect(batch.readUInt32BE(17)).toBe(kafkajsCrc32c(batch.subarray(21)) >>> 0);
  return decodeBatch(new Decoder(Buffer.from(batch)));
}

describe('kafka wire encoding', () => {
  it('crc32c matches the check value and kafkajs on any bytes', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (a) => crc32c(Buffer.from(a)) === kafkajsCrc32c(Buffer.from(a)) >>> 0));
  });

  it('murmur2 of a key matches the Java partitioner as kafkajs implements it, for any unicode key', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (k) => murmur2(k) === kafkajsMurmur2(k)));
  });

  it('murmur2 of a binary key is murmur2 of its bytes, as kafkajs hashes a Buffer key', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (a) => murmur2(a) === kafkajsMurmur2(Buffer.from(a))));
  });

  it('grouping keeps each partition in send order, keyed records on their murmur2 partition (or where keyedTargets moves it) and unkeyed on the sticky one', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ maxLength: 8 }), { nil: undefined }), { maxLength: 200 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), (keys, partitions, moved) => {
        const messages = keys.map((key) => (key === undefined ? { value: Buffer.alloc(0) } : { key, value: Buffer.alloc(0) }));
        const sticky = partitions - 1;
        // Moved: every keyed partition goes one down (the rotation's map is any partition -> partition).
        const targets = moved ? Int32Array.from({ length: partitions }, (_, p) => (p + partitions - 1) % partitions) : undefined;
        const { order, starts } = groupByPartition(messages, partitions, sticky, targets);
        expect(starts[partitions]).toBe(messages.length);
        for (let p = 0; p < partitions; p++) {
          let last = -1;
          for (let i = starts[p]!; i < starts[p + 1]!; i++) {
            const m = messages[order[i]!]!;
            expect(order[i]!).toBeGreaterThan(last);
            last = order[i]!;
            const hashed = m.key === undefined ? -1 : (kafkajsMurmur2(m.key) & 0x7fffffff) % partitions;
            expect(hashed < 0 ? sticky : (targets?.[hashed] ?? hashed)).toBe(p);
          }
        }
      }),
    );
  });

  it.each([
    ['uncompressed', CODEC.none],
    ['lz4', CODEC.lz4],
  ])('a %s record batch decodes (kafkajs) to the same keys, values, headers and timestamps', async (_name, codec) => {
    registerLz4();
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 40 }), async (messages) => {
        const decoded = await roundTrip(messages, codec);
        expect(decoded.firstSequence).toBe(7);
        expect(decoded.producerId).toBe('42');
        expect(decoded.records.length).toBe(messages.length);
        decoded.records.forEach((r, i) => {
          const m = messages[i]!;
          expect(r.offset).toBe(String(i));
          expect(r.key === null ? undefined : r.key.toString('hex')).toBe(m.key === undefined ? undefined : bytesOf(m.key).toString('hex'));
          expect(Buffer.compare(r.value, m.value)).toBe(0);
          expect(r.timestamp).toBe(String(m.timestamp ?? 1_700_000_000_000));
          expect(Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString('hex')]))).toEqual(Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, bytesOf(v).toString('hex')])));
        });
      }),
      { numRuns: 60 },
    );
  });

  it('varints cover the whole safe-integer range Kafka varlongs can carry', async () => {
    const far = [{ value: Buffer.from('a'), timestamp: 1 }, { value: Buffer.from('b'), timestamp: 2 ** 52 }];
    const decoded = await roundTrip(far, CODEC.none);
    expect(decoded.records.map((r) => r.timestamp)).toEqual(['1', String(2 ** 52)]);
  });
});
