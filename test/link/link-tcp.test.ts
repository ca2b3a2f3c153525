/**
 * Sender and receiver over a real TCP connection on 127.0.0.1, each with its own embedded-log
 * disk queue: every queued record arrives once, in order, across receiver restarts; a peer that
 * breaks the protocol is closed with a logged reason and nothing is written.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { DiskQueue } from '../../src/link/disk-queue.js';
import { encodeFrame, FrameReader, type Frame } from '../../src/link/frame.js';
import { compressRecords } from '../../src/link/wire-record.js';
import { eventually } from '../kit/eventually.js';
import { recordAt } from './fixtures/records.js';
import { expectExactly, fill, queueIn, startReceiver, startSender } from './fixtures/queues.js';

describe('link over TCP', () => {
  it('ships every queued record to the receiver queue once, in order, with many frames in flight', async () => {
    const a = await queueIn('millrace-link-a-');
    const b = await queueIn('millrace-link-b-');
    const { receiver, port } = await startReceiver(b.queue);
    await fill(a.queue, 1, 3000);
    const sender = startSender(a.queue, port);
    await eventually(() => sender.stats.seqAcked === 3000, { what: 'all 3000 acked', timeoutMs: 30_000 });
    await sender.stop();
    await receiver.close();
    expect(sender.stats.framesSent).toBeGreaterThan(3000 / 50 - 1);
    expect(sender.stats.bytesCompressed).toBeLessThan(sender.stats.bytesUncompressed);
    await expectExactly(b.queue, 3000);
    await a.queue.close();
    await b.queue.close();
  });

  it('resumes from what the receiver persisted when the receiver restarts mid-stream, doubling nothing', async () => {
    const a = await queueIn('millrace-link-a-');
    const b = await queueIn('millrace-link-b-');
    const started = await startReceiver(b.queue);
    const port = started.port;
    let receiver = started.receiver;
    const sender = startSender(a.queue, port);
    await fill(a.queue, 1, 1500);
    sender.notify();
    let queueB = b.queue;
    for (let round = 0; round < 3; round++) {
      await eventually(() => receiver.persisted > round * 400 + 100, { what: `progress in round ${round}` });
      await receiver.close();
      await queueB.close();
      queueB = await DiskQueue.open(b.dir);
      ({ receiver } = await startReceiver(queueB, port));
    }
    await fill(a.queue, 1501, 2500);
    sender.notify();
    await eventually(() => sender.stats.seqAcked === 2500, { what: 'all 2500 acked', timeoutMs: 30_000 });
    expect(sender.stats.reconnects).toBeGreaterThanOrEqual(3);
    await sender.stop();
    await receiver.close();
    await expectExactly(queueB, 2500);
    await a.queue.close();
    await queueB.close();
  });

  /** Writes `bytes` after a hello, waits for `until` (if given), closes; returns the receiver's frames. */
  async function talk(port: number, bytes: Buffer[], until?: (got: Frame[]) => boolean): Promise<Frame[]> {
    const socket = net.connect({ host: '127.0.0.1', port });
    const reader = new FrameReader();
    const got: Frame[] = [];
    socket.on('data', (c: Buffer) => got.push(...reader.push(c)));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(encodeFrame({ type: 'hello', link: 'l1', nonce: Buffer.alloc(16) }));
    await eventually(() => got.length > 0, { what: 'the welcome' });
    for (const b of bytes) socket.write(b);
    if (until !== undefined) await eventually(() => until(got), { what: 'the expected answer' });
    socket.end();
    await new Promise((resolve) => socket.once('close', resolve));
    return got;
  }

  const data = async (first: number, n: number): Promise<Buffer> => {
    const records = Array.from({ length: n }, (_, i) => recordAt(first + i));
    return encodeFrame({ type: 'data', first, count: n, ...(await compressRecords(records)) });
  };
  const corrupt = (b: Buffer, at: number, value: number): Buffer => {
    const c = Buffer.from(b);
    c[at] = value;
    return c;
  };
  const cases: [string, () => Promise<Buffer[]>, RegExp][] = [
    ['a bad CRC', async () => [await data(1, 3).then((d) => corrupt(d, 30, 0xff ^ (d[30] as number)))], /CRC mismatch/],
    ['a wrong protocol version', async () => [corrupt(await data(1, 3), 4, 9)], /protocol version 9/],
    ['garbage', async () => [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')], /length prefix|protocol version/],
    ['an oversized length prefix', async () => [Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 3, 0, 0, 0, 0])], /exceeds the 1048576-byte frame limit/],
    ['a truncated frame', async () => [(await data(1, 3)).subarray(0, 25)], /closed mid-frame; \d+ bytes of a truncated frame discarded/],
    ['a sequence gap', async () => [await data(5, 3)], /gap: frame starts at 5 but 1 is next/],
  ];
  it.each(cases)('closes a connection sending %s with a logged reason and writes nothing', async (_what, bytes, reason) => {
    const b = await queueIn('millrace-link-b-');
    const { receiver, port, lines } = await startReceiver(b.queue);
    const answers = await talk(port, await bytes());
    await eventually(() => lines.some((l) => reason.test(l)), { what: `a log line matching ${reason}` });
    expect(answers[0]).toEqual({ type: 'welcome', persisted: 0 });
    if (!/truncated/.test(reason.source)) expect(answers.at(-1)).toMatchObject({ type: 'refuse', reason: expect.stringMatching(reason) });
    await receiver.close();
    expect(b.queue.head).toBe(0);
    // The receiver still serves a well-behaved sender afterwards.
    const again = await startReceiver(b.queue);
    const ack = { type: 'ack', persisted: 3 };
    expect(await talk(again.port, [await data(1, 3)], (got) => got.some((f) => f.type === 'ack'))).toContainEqual(ack);
    await again.receiver.close();
    await b.queue.close();
  });
});
