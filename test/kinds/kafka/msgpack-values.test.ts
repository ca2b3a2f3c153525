import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeValue } from '../../../src/kinds/kafka/encoding.js';
import { kafkaSourceKind } from '../../../src/kinds/kafka/source.js';
import { openMessageLog } from '../../../src/transport/open-message-log.js';
import { quietLog } from '../../runtime/harness.js';
import { asText, collectSink } from '../../kit/collect-sink.js';
import { eventually } from '../../kit/eventually.js';
import { build, embeddedTransport, shared, start } from './helpers.js';

const packr = new Packr({ useRecords: false, mapsAsObjects: true });
const bytes = (...b: number[]): Buffer => Buffer.from(b);
/** A msgpack timestamp 32 (ext type -1) of 1 s after the epoch. */
const timestamp = [0xd6, 0xff, 0, 0, 0, 1];
/** `{ a: <value> }` */
const inMap = (...value: number[]): Buffer => bytes(0x81, 0xa1, 0x61, ...value);

/** The values a test sends: undecodable ones with what their reason must say. */
const undecodable: [string, Buffer, RegExp][] = [
  ['the byte 0xC1', bytes(0xc1), /byte 0xC1 at offset 0 is never valid/],
  ['0xC1 inside a map', inMap(0xc1), /byte 0xC1 at offset 3/],
  ['a timestamp', bytes(...timestamp), /extension type -1 at offset 0/],
  ['a timestamp inside a map', inMap(...timestamp), /extension type -1 at offset 3/],
  ['another extension type', bytes(0xd4, 0x05, 0x01), /extension type 5/],
  ['an array', bytes(0x92, 0x01, 0x02), /msgpack value is an array/],
  ['a number', bytes(0x2a), /msgpack value is a number/],
  ['nil', bytes(0xc0), /msgpack value is nil/],
  ['bytes inside a map', inMap(0xc4, 0x01, 0x07), /bytes at offset 3 inside a map/],
  ['a 64-bit integer beyond 2^53', inMap(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), /integer beyond/],
  ['NaN', inMap(0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0), /not finite/],
  ['a map with an integer key', bytes(0x81, 0x01, 0x02), /map key at offset 1 is a number/],
  ['a truncated string', bytes(0xa5, 0x61), /truncated/],
  ['two values', bytes(0xa1, 0x61, 0xa1, 0x62), /2 bytes after the value/],
];

describe('msgpack record values', () => {
  it.each(undecodable)('reports %s instead of decoding a look-alike', (_name, value, reason) => {
    const decoded = decodeValue(value, 'msgpack');
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? '' : decoded.reason).toMatch(reason);
  });

  it('decodes any JSON object, any string and top-level bytes as they were packed (property)', () => {
    const json = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }));
    fc.assert(
      fc.property(fc.oneof(json, fc.string()), (value) => {
        // JSON's own value: -0 becomes 0 there, as it does in a record written as JSON.
        const plain = JSON.parse(JSON.stringify(value)) as object | string;
        expect(decodeValue(packr.pack(plain), 'msgpack')).toEqual({ ok: true, value: plain });
      }),
      { numRuns: 200 },
    );
    expect(decodeValue(packr.pack(Buffer.from([1, 2, 0xc1])), 'msgpack')).toEqual({ ok: true, value: Buffer.from([1, 2, 0xc1]) });
    // A key named __proto__ stays that key (msgpackr alone renames it to __proto_), as JSON.parse keeps it.
    const proto = JSON.parse('{"a":{"__proto__":1,"b":[{"__proto__":null}]}}') as object;
    const decoded = decodeValue(packr.pack(proto), 'msgpack');
    expect(decoded.ok && JSON.stringify(decoded.value)).toBe(JSON.stringify(proto));
  });

  it('a kafka source dead-letters undecodable values, each with its own topic/partition@offset, and delivers the rest', async () => {
    const transport = embeddedTransport();
    const topic = `msgpack-${Date.now()}`;
    const values = [packr.pack({ i: 0 }), ...undecodable.map(([, value]) => value), packr.pack({ i: 1 }), packr.pack('text')];
    const producer = openMessageLog(transport, quietLog, shared.acquire).producer({ acks: -1, idempotent: true, compression: 'none', deliveryTimeoutMs: 30_000 });
    await producer.connect();
    // One key: one partition, so offsets follow the order above.
    await producer.send(topic, values.map((value) => ({ key: 'k', value })));
    await producer.disconnect();
    const got: string[] = [];
    const t = build(transport, [
      { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: 'g', topics: [topic], encoding: 'msgpack' } },
      { id: 'store', role: 'sink', kind: collectSink(got, { as: asText }), inputs: ['in'] },
    ]);
    const runtime = await start(t);
    const file = join(t.dataDir, 'deadletter.jsonl');
    type Dead = { reason: string; position: string; value: string; encoding: string };
    const dead = (): Dead[] =>
      existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Dead) : [];
    await eventually(() => got.length >= 3 && dead().length >= undecodable.length, { what: '3 records and every dead letter', timeoutMs: 30_000 });
    await runtime.stop();
    expect([...got].sort()).toEqual(['text', '{"i":0}', '{"i":1}']);
    const letters = dead();
    const partition = /\/(\d+)@/.exec(letters[0]?.position ?? '')?.[1];
    expect(letters.map((d) => d.position)).toEqual(undecodable.map((_, k) => `${topic}/${partition}@${k + 1}`));
    letters.forEach((d, k) => {
      const [, value, reason] = undecodable[k] as [string, Buffer, RegExp];
      expect(d.reason).toMatch(reason);
      expect(Buffer.from(d.value, d.encoding === 'base64' ? 'base64' : 'utf8')).toEqual(value);
    });
  }, 60_000);
});
