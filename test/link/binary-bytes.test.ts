/**
 * Keys and header values that are not UTF-8 cross a mirror byte for byte: kafka source -> link
 * sink -> TCP -> link source -> kafka sink, on a real broker and on the embedded log.
 */
import { describe, expect, it } from 'vitest';
import { kafkaSinkKind } from '../../src/kinds/kafka/sink.js';
import { kafkaSourceKind } from '../../src/kinds/kafka/source.js';
import { linkReceiverKind } from '../../src/kinds/link/receiver.js';
import { linkSenderKind } from '../../src/kinds/link/sender.js';
import { bytesOf } from '../../src/core/text-or-bytes.js';
import type { ConsumedMessage, OutgoingMessage } from '../../src/transport/message-log.js';
import { openMessageLog } from '../../src/transport/open-message-log.js';
import type { TransportConfig } from '../../src/transport/schema.js';
import { freePort } from '../kit/free-port.js';
import { build, shared, start, transports, useTransport } from '../kinds/kafka/helpers.js';
import { quietLog } from '../runtime/harness.js';

const COUNT = 300;

/** Record i: a binary key (invalid UTF-8, with a NUL), a text key or none; a binary and a text header. */
function message(i: number): OutgoingMessage {
  const m: OutgoingMessage = {
    value: Buffer.from([0xff, i & 0xff, 0x00, 0xc0, 0x80]),
    headers: { bin: Buffer.from([0xc3, 0x28, 0x00, i & 0xff, 0xfe]), txt: `héllo €${i}` },
    timestamp: 1_700_000_000_000 + i,
  };
  if (i % 3 === 0) m.key = Buffer.from([0xfe, 0xff, 0x00, 0x80, i & 0xff]);
  else if (i % 3 === 1) m.key = `clé-${i}`;
  return m;
}

/** What a consumed message is, as bytes, keyed by its value so order across partitions does not matter. */
function fingerprint(m: { key?: OutgoingMessage['key'] | null; value: Buffer | null; headers?: ConsumedMessage['headers'] }): string {
  const key = m.key === undefined || m.key === null ? 'none' : bytesOf(m.key).toString('hex');
  const headers = Object.entries(m.headers ?? {})
    .map(([name, v]) => `${name}=${bytesOf(v).toString('hex')}`)
    .sort()
    .join(',');
  return `${(m.value ?? Buffer.alloc(0)).toString('hex')} key=${key} ${headers}`;
}

/** Everything in `topic` once `count` messages are there (the topic appears when the mirror first writes to it). */
async function readAll(transport: TransportConfig, topic: string, count: number): Promise<ConsumedMessage[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await readFrom(transport, topic, count, deadline);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function readFrom(transport: TransportConfig, topic: string, count: number, deadline: number): Promise<ConsumedMessage[]> {
  const consumer = openMessageLog(transport, quietLog, shared.acquire).consumer({
    group: `check-${Date.now()}`,
    topics: [topic],
    topicRefreshMs: 1000,
    start: 'earliest',
    offsetOutOfRange: 'fail',
    maxBufferedRecords: 10_000,
    maxBufferedBytes: 16 * 1024 * 1024,
    sessionTimeoutMs: 6000,
    fetchBytesPerPartition: 128 * 1024,
  });
  const got: ConsumedMessage[] = [];
  try {
    await consumer.connect();
    while (got.length < count && Date.now() < deadline) got.push(...(await consumer.next()).messages);
  } finally {
    await consumer.disconnect();
  }
  return got;
}

describe.each(transports)('binary keys and headers through a mirror link on the $name transport', ({ setup }) => {
  const env = useTransport(setup);

  it('arrive in the destination byte for byte', async () => {
    const topic = `bin-${Date.now()}`;
    const sent = Array.from({ length: COUNT }, (_, i) => message(i));
    const producer = openMessageLog(env.transport, quietLog, shared.acquire).producer({ acks: -1, idempotent: true, compression: 'none', deliveryTimeoutMs: 30_000 });
    await producer.connect();
    await producer.send(topic, sent);
    await producer.disconnect();

    const port = await freePort();
    const receiver = await start(
      build(env.transport, [
        { id: 'in', role: 'source', kind: linkReceiverKind, config: { link: 'bin', port } },
        { id: 'out', role: 'sink', kind: kafkaSinkKind, config: { topic: 'copy-{stream}', streamHeader: false }, inputs: ['in'] },
      ]),
    );
    const sender = await start(
      build(env.transport, [
        { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: `mirror-${topic}`, topics: [topic], encoding: 'raw', sessionTimeoutMs: 6000 } },
        { id: 'out', role: 'sink', kind: linkSenderKind, config: { link: 'bin', host: '127.0.0.1', port }, inputs: ['in'] },
      ]),
    );
    try {
      const got = await readAll(env.transport, `copy-${topic}`, COUNT);
      expect(got.length).toBe(COUNT);
      expect(got.map(fingerprint).sort()).toEqual(sent.map(fingerprint).sort());
      // The binary keys really are binary on arrival (not a lossy text round trip that happens to match).
      expect(got.filter((m) => m.key !== null && m.key[0] === 0xfe).length).toBe(COUNT / 3);
    } finally {
      await sender.stop();
      await receiver.stop();
    }
  }, 120_000);
});
