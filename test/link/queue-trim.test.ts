/**
 * The disk queues are trimmed and capped: the sender's once the receiver acknowledges, the
 * receiver's once downstream takes the records. Kafka source (on the embedded log) -> link sink ->
 * TCP -> link source -> collecting sink, in one process.
 */
import { describe, expect, it } from 'vitest';
import { kafkaSourceKind } from '../../src/kinds/kafka/source.js';
import { linkReceiverKind } from '../../src/kinds/link/receiver.js';
import { linkSenderKind } from '../../src/kinds/link/sender.js';
import { payloadText, type LogRecord } from '../../src/streams/record.js';
import { openMessageLog } from '../../src/transport/open-message-log.js';
import type { TransportConfig } from '../../src/transport/schema.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { Gate, collectSink } from '../kit/collect-sink.js';
import { eventually } from '../kit/eventually.js';
import { freePort } from '../kit/free-port.js';
import { build, embeddedTransport, shared, start } from '../kinds/kafka/helpers.js';
import { quietLog } from '../runtime/harness.js';

const KEYS = 4;
const SEGMENT = 32 * 1024;
const CAP = 256 * 1024;

/** A fresh embedded log with `count` records in `topic`, and a port for the link. */
async function fill(topic: string, count: number): Promise<{ transport: TransportConfig; port: number }> {
  const transport = embeddedTransport();
  const producer = openMessageLog(transport, quietLog, shared.acquire).producer({ acks: -1, idempotent: true, compression: 'none', deliveryTimeoutMs: 30_000 });
  await producer.connect();
  for (let i = 0; i < count; i += 1000) {
    await producer.send(topic, Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({ key: `k${(i + j) % KEYS}`, value: Buffer.from(`k${(i + j) % KEYS} n${i + j} ${'x'.repeat(60)}`) })));
  }
  await producer.disconnect();
  return { transport, port: await freePort() };
}

function sender(transport: TransportConfig, topic: string, port: number, dataDir?: string, more: Record<string, unknown> = {}): Promise<Runtime> {
  const t = build(transport, [
    { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: `mirror-${topic}`, topics: [topic], encoding: 'raw', sessionTimeoutMs: 6000 } },
    { id: 'out', role: 'sink', kind: linkSenderKind, config: { link: 'trim', host: '127.0.0.1', port, queueSegmentBytes: SEGMENT, maxQueueBytes: CAP, maxBatchRecords: 200, backoff: { initialMs: 50, maxMs: 200 }, ...more }, inputs: ['in'] },
  ]);
  return start(dataDir === undefined ? t : { ...t, dataDir, baseDir: dataDir });
}

function receiver(transport: TransportConfig, port: number, got: string[], options: { gate?: Gate; config?: Record<string, unknown> } = {}): Promise<Runtime> {
  const sink = options.gate === undefined ? collectSink(got, { as: (r: LogRecord) => payloadText(r.value) }) : collectSink(got, { as: (r: LogRecord) => payloadText(r.value), gate: options.gate });
  return start(
    build(transport, [
      { id: 'in', role: 'source', kind: linkReceiverKind, config: { link: 'trim', port, ...options.config } },
      { id: 'out', role: 'sink', kind: sink, inputs: ['in'] },
    ]),
  );
}

/** The receiver's (`in`) and the sender's (`out`) status fields these tests read. */
interface Statuses {
  in: { seqPersisted: number; seqDelivered: number; queueBytes: number; fullSince: number | null };
  out: { queued: number; reconnects: number; seqAcked: number; queueBytes: number; trimmedTo: number; fullSince: number | null };
}

function statusOf<Id extends keyof Statuses>(runtime: Runtime, id: Id): Statuses[Id] {
  return runtime.nodes.get(id)?.io[0]?.status?.() as unknown as Statuses[Id];
}
const sourceStatus = (runtime: Runtime): Statuses['in'] => statusOf(runtime, 'in');
const sinkStatus = (runtime: Runtime): Statuses['out'] => statusOf(runtime, 'out');

/** A queue held at CAP: it took `held` records and no more, fewer than all, and is at the cap plus at most `slack` bytes. */
function expectHeldAtCap(now: { taken: number; queueBytes: number }, held: number, count: number, slack: number): void {
  expect(now.taken).toBe(held);
  expect(held).toBeLessThan(count);
  expect(now.queueBytes).toBeGreaterThanOrEqual(CAP);
  expect(now.queueBytes).toBeLessThan(CAP + slack);
}

/** Every record exactly once, and each key's records in order. */
function expectExactlyOnceInOrder(got: readonly string[], count: number): void {
  expect(got.length).toBe(count);
  for (let k = 0; k < KEYS; k++) {
    const mine = got.filter((v) => v.startsWith(`k${k} `)).map((v) => Number(/ n(\d+) /.exec(v)?.[1]));
    expect(mine).toEqual(Array.from({ length: count }, (_, i) => i).filter((i) => i % KEYS === k));
  }
}

describe('link sender queue: trimming and cap', () => {
  it('stays bounded over a long run: acknowledged segments are deleted, and every record arrives once, in order', async () => {
    const topic = 'long';
    const count = 60_000;
    const { transport, port } = await fill(topic, count);
    const got: string[] = [];
    const rcv = await receiver(transport, port, got);
    const snd = await sender(transport, topic, port);
    let maxBytes = 0;
    const sample = setInterval(() => (maxBytes = Math.max(maxBytes, sinkStatus(snd).queueBytes)), 5);
    try {
      await eventually(() => got.length >= count, { what: `${count} records mirrored`, timeoutMs: 120_000 });
      // Trimming follows the acks (a snapshot and an fsync per trim): give it a moment under load.
      await eventually(() => sinkStatus(snd).seqAcked === sinkStatus(snd).queued && sinkStatus(snd).queueBytes <= 2 * SEGMENT, { what: 'every queued record acknowledged and trimmed', timeoutMs: 15_000 });
      clearInterval(sample);
      const s = sinkStatus(snd);
      // Untrimmed, the queue would hold all of it (about 6 MB); a batch may overshoot the cap once.
      expect(s.queued).toBe(count);
      expect(s.trimmedTo).toBeGreaterThan(count / 2);
      expect(maxBytes).toBeLessThan(CAP + 512 * 1024);
      await new Promise((r) => setTimeout(r, 300));
      expectExactlyOnceInOrder(got, count);
    } finally {
      clearInterval(sample);
      await snd.stop();
      await rcv.stop();
    }
  }, 180_000);

  it('holds the source back at maxQueueBytes while the receiver is down; nothing is lost or doubled when it returns, nor after a sender restart', async () => {
    const topic = 'held';
    const count = 30_000;
    const { transport, port } = await fill(topic, count);
    let snd = await sender(transport, topic, port);
    const dataDir = snd.topology.dataDir;
    const got: string[] = [];
    let rcv: Runtime | undefined;
    try {
      await eventually(() => sinkStatus(snd).fullSince !== null, { what: 'the sink to reach maxQueueBytes', timeoutMs: 60_000 });
      const held = sinkStatus(snd).queued;
      await new Promise((r) => setTimeout(r, 1500));
      const later = sinkStatus(snd);
      // Held back: nothing more was queued, the queue is at its cap (plus at most one batch), the rest waits upstream.
      expectHeldAtCap({ taken: later.queued, queueBytes: later.queueBytes }, held, count, 512 * 1024);
      expect(later.trimmedTo).toBe(0);

      rcv = await receiver(transport, port, got);
      await eventually(() => got.length >= count / 2 && sinkStatus(snd).trimmedTo > 0, { what: 'half the records mirrored and the queue trimmed', timeoutMs: 60_000 });
      // A sender restart after trimming: the queue starts past what was trimmed; the saved offsets keep a redelivery out.
      await snd.stop();
      snd = await sender(transport, topic, port, dataDir);
      await eventually(() => got.length >= count, { what: `${count} records mirrored`, timeoutMs: 120_000 });
      await new Promise((r) => setTimeout(r, 500));
      expectExactlyOnceInOrder(got, count);
      expect(sinkStatus(snd).queued).toBe(count);
    } finally {
      await snd.stop();
      await rcv?.stop();
    }
  }, 180_000);
});

describe('link receiver queue: cap', () => {
  it('at maxQueueBytes with downstream stalled, holds the sender (kept connected by unchanged acks past its ack timeout) while its own queue takes the rest; nothing lost or doubled once downstream moves', async () => {
    const topic = 'rcvcap';
    const count = 30_000;
    const { transport, port } = await fill(topic, count);
    const got: string[] = [];
    const gate = new Gate();
    gate.close();
    const rcv = await receiver(transport, port, got, { gate, config: { queueSegmentBytes: SEGMENT, maxQueueBytes: CAP } });
    // The sender's own queue can hold everything; a short ack timeout would drop a silent connection.
    const snd = await sender(transport, topic, port, undefined, { maxQueueBytes: 16 * 1024 * 1024, ackTimeoutMs: 3000 });
    try {
      await eventually(() => sourceStatus(rcv).fullSince !== null, { what: "the receiver's queue to reach maxQueueBytes", timeoutMs: 60_000 });
      await eventually(() => sinkStatus(snd).queued === count, { what: "the sender's queue to take every record", timeoutMs: 60_000 });
      const held = sourceStatus(rcv).seqPersisted;
      await new Promise((r) => setTimeout(r, 6000));
      const r = sourceStatus(rcv);
      // Held: nothing more persisted, the queue at its cap plus at most a frame or so, and no reconnect.
      expectHeldAtCap({ taken: r.seqPersisted, queueBytes: r.queueBytes }, held, count, 128 * 1024);
      expect(sinkStatus(snd).reconnects).toBe(0);
      expect(sinkStatus(snd).seqAcked).toBe(held);

      gate.open();
      await eventually(() => got.length >= count, { what: `${count} records mirrored`, timeoutMs: 120_000 });
      await eventually(() => sourceStatus(rcv).fullSince === null && sourceStatus(rcv).seqDelivered === count, { what: 'the receiver to deliver everything', timeoutMs: 15_000 });
      await new Promise((r) => setTimeout(r, 300));
      expectExactlyOnceInOrder(got, count);
      expect(sinkStatus(snd).reconnects).toBe(0);
    } finally {
      gate.open();
      await snd.stop();
      await rcv.stop();
    }
  }, 180_000);
});
