import { createRequire } from 'node:module';
import fc from 'fast-check';
import { compressFrame } from 'lz4-napi';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../src/transport/kafka-wire/byte-writer.js';
import { decodeFetchV11 } from '../../src/transport/kafka-wire/fetch-response.js';
import { CODEC, writeRecordBatch } from '../../src/transport/kafka-wire/record-batch.js';
import { registerLz4 } from '../../src/transport/lz4-codec.js';
import type { OutgoingMessage } from '../../src/transport/message-log.js';

// kafkajs' own Fetch v11 decoder is the reference. A consumer in this process may have installed
// millrace's decoder into kafkajs' module already, so the module is loaded afresh for the
// reference and the cached one put back.
const require = createRequire(import.meta.url);
const modulePath = require.resolve('kafkajs/src/protocol/requests/fetch/v11/response.js');
const cached = require.cache[modulePath];
delete require.cache[modulePath];
const kafkajsDecode = (require(modulePath) as { decode(raw: Buffer): Promise<unknown> }).decode;
if (cached !== undefined) require.cache[modulePath] = cached;
const encodeMessageSet = require('kafkajs/src/protocol/messageSet/index.js') as (args: { messageVersion: number; entries: { key: Buffer | null; value: Buffer; timestamp?: number }[] }) => { buffer: Buffer };

registerLz4();

const TIMESTAMP_TYPE_FLAG = 0x08;
const TRANSACTIONAL_FLAG = 0x10;
const CONTROL_FLAG = 0x20;

interface BatchSpec {
  messages: OutgoingMessage[];
  baseOffset: bigint;
  codec: number;
  flags: number;
}

interface PartitionSpec {
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  aborted: { producerId: bigint; firstOffset: bigint }[];
  batches: BatchSpec[];
  /** Bytes of a further batch cut off at the end, as a fetch's size limit leaves it. */
  cut: number;
}

const message = fc.record(
  {
    key: fc.oneof(fc.string({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 })),
    value: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((n) => !(n in {})), fc.uint8Array({ maxLength: 12 }), { maxKeys: 3 }),
    timestamp: fc.integer({ min: 0, max: 4_000_000_000_000 }),
  },
  { requiredKeys: ['value', 'timestamp'] },
) as fc.Arbitrary<OutgoingMessage>;

const batch: fc.Arbitrary<BatchSpec> = fc.record({
  messages: fc.array(message, { minLength: 1, maxLength: 12 }),
  // Offsets past 2^53 take the BigInt path.
  baseOffset: fc.oneof(fc.bigInt({ min: 0n, max: 1_000_000n }), fc.bigInt({ min: 2n ** 53n - 5n, max: 2n ** 62n })),
  codec: fc.constantFrom(CODEC.none, CODEC.lz4),
  flags: fc.subarray([TIMESTAMP_TYPE_FLAG, TRANSACTIONAL_FLAG, CONTROL_FLAG]).map((f) => f.reduce((a, b) => a | b, 0)),
});

const partition: fc.Arbitrary<PartitionSpec> = fc.record({
  partition: fc.nat(50),
  errorCode: fc.constantFrom(0, 0, 0, 1),
  highWatermark: fc.bigInt({ min: 0n, max: 2n ** 62n }),
  aborted: fc.array(fc.record({ producerId: fc.bigInt({ min: 0n, max: 2n ** 40n }), firstOffset: fc.bigInt({ min: 0n, max: 2n ** 40n }) }), { maxLength: 2 }),
  batches: fc.array(batch, { maxLength: 3 }),
  cut: fc.constantFrom(0, 0, 20, 60),
});

const topics = fc.array(fc.record({ name: fc.string({ minLength: 1, maxLength: 10 }), partitions: fc.array(partition, { maxLength: 3 }) }), { maxLength: 3 });

async function recordBatch(spec: BatchSpec): Promise<Buffer> {
  const w = new ByteWriter(64);
  const order = Int32Array.from(spec.messages.keys());
  const compress = spec.codec === CODEC.lz4 ? (b: Buffer) => compressFrame(b) : undefined;
  await writeRecordBatch(w, new ByteWriter(64), spec.messages, order, 0, spec.messages.length, { producerId: 7n, producerEpoch: 2, baseSequence: 3 }, spec.codec, compress, 1_700_000_000_000);
  const out = Buffer.from(w.view());
  out.writeBigInt64BE(spec.baseOffset, 0);
  out.writeInt32BE(5, 12); // the leader epoch the broker would set
  out.writeInt16BE(out.readInt16BE(21) | spec.flags, 21);
  return out;
}

async function response(spec: { name: string; partitions: PartitionSpec[] }[]): Promise<Buffer> {
  const w = new ByteWriter(256);
  w.int32(0);
  w.int16(0);
  w.int32(12345);
  w.int32(spec.length);
  for (const topic of spec) {
    w.string(topic.name);
    w.int32(topic.partitions.length);
    for (const p of topic.partitions) {
      w.int32(p.partition);
      w.int16(p.errorCode);
      w.bigInt64(p.highWatermark);
      w.bigInt64(p.highWatermark);
      w.bigInt64(0n);
      w.int32(p.aborted.length);
      for (const a of p.aborted) {
        w.bigInt64(a.producerId);
        w.bigInt64(a.firstOffset);
      }
      w.int32(-1);
      const batches = await Promise.all(p.batches.map(recordBatch));
      const whole = batches.length > 0 && p.cut > 0 ? batches[batches.length - 1]!.subarray(0, p.cut) : Buffer.alloc(0);
      const records = Buffer.concat([...batches, whole]);
      w.int32(records.length);
      w.ensure(records.length);
      w.bytes(records);
    }
  }
  return Buffer.from(w.view());
}

/** One record batch written by hand, with a null key and these headers (repeated names, null names and values allowed). */
function handWrittenBatch(headers: [string | null, Buffer | null][]): Buffer {
  // Room for everything up front: varint() and bytes() leave growing to the caller.
  const r = new ByteWriter(4096);
  r.int8(0);
  r.varint(-3);
  r.varint(0);
  r.varint(-1);
  r.varint(2);
  r.bytes(Buffer.from('hi'));
  r.varint(headers.length);
  for (const [name, value] of headers) {
    r.varint(name === null ? -1 : Buffer.byteLength(name));
    if (name !== null) r.bytes(Buffer.from(name));
    r.varint(value === null ? -1 : value.length);
    if (value !== null) r.bytes(value);
  }
  const body = r.view();
  const w = new ByteWriter(4096);
  w.bigInt64(10n);
  w.int32(0);
  w.int32(0);
  w.int8(2);
  w.int32(0);
  w.int16(0);
  w.int32(0);
  w.int64(1_700_000_000_000);
  w.int64(1_700_000_000_000);
  w.bigInt64(-1n);
  w.int16(-1);
  w.int32(-1);
  w.int32(1);
  w.varint(body.length);
  w.bytes(body);
  const out = Buffer.from(w.view());
  out.writeInt32BE(out.length - 12, 8);
  return out;
}

function wrap(records: Buffer): Buffer {
  const w = new ByteWriter(64);
  w.int32(0);
  w.int16(0);
  w.int32(0);
  w.int32(1);
  w.string('t');
  w.int32(1);
  w.int32(0);
  w.int16(0);
  w.bigInt64(11n);
  w.bigInt64(11n);
  w.bigInt64(0n);
  w.int32(0);
  w.int32(-1);
  w.int32(records.length);
  w.ensure(records.length);
  w.bytes(records);
  return Buffer.from(w.view());
}

describe('fetch response decoding', () => {
  it('gives what kafkajs decodes for any response: batches plain and LZ4, offsets past 2^53, log-append times, control and transactional batches, aborted transactions, a batch cut off at the end', async () => {
    await fc.assert(
      fc.asyncProperty(topics, async (spec) => {
        const raw = await response(spec);
        expect(await decodeFetchV11(raw)).toEqual(await kafkajsDecode(raw));
      }),
      { numRuns: 150 },
    );
  });

  it('gives what kafkajs decodes for repeated and null headers and a null key', async () => {
    const raw = wrap(handWrittenBatch([['a', Buffer.from('1')], ['a', null], ['a', Buffer.from('3')], [null, Buffer.from('n')]]));
    const ours = await decodeFetchV11(raw);
    expect(ours).toEqual(await kafkajsDecode(raw));
    const record = ours?.responses[0]?.partitions[0]?.messages[0];
    expect(record?.key).toBeNull();
    expect(record?.headers).toEqual({ a: [Buffer.from('1'), null, Buffer.from('3')], null: Buffer.from('n') });
  });

  it('reads headers named like Object.prototype members as data (kafkajs pairs them with the prototype member)', async () => {
    const raw = wrap(handWrittenBatch([['__proto__', Buffer.from('p')], ['toString', Buffer.from('s')]]));
    const headers = (await decodeFetchV11(raw))?.responses[0]?.partitions[0]?.messages[0]?.headers;
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.entries(headers ?? {})).toEqual([['__proto__', Buffer.from('p')], ['toString', Buffer.from('s')]]);
  });

  it('leaves record sets in the old message-set format to kafkajs', async () => {
    const legacy = encodeMessageSet({ messageVersion: 1, entries: [{ key: null, value: Buffer.from('old'), timestamp: 1 }] }).buffer;
    const raw = wrap(legacy);
    expect(await decodeFetchV11(raw)).toBeUndefined();
    const decoded = (await kafkajsDecode(raw)) as { responses: { partitions: { messages: { value: Buffer }[] }[] }[] };
    expect(decoded.responses[0]?.partitions[0]?.messages.map((m) => m.value.toString())).toEqual(['old']);
  });
});
