/**
 * Sender -> toxiproxy -> receiver, each side with its embedded-log queue, while records keep
 * arriving at the sender: the link is cut, stalled, sliced into 1-byte writes, delayed, throttled
 * and reset mid-frame. Afterwards the receiver's queue holds every record exactly once, in order.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskQueue } from '../../src/link/disk-queue.js';
import { LinkReceiver } from '../../src/link/receiver.js';
import { LinkSender } from '../../src/link/sender.js';
import { Toxiproxy, TOXIPROXY_INSTALL, toxiproxyBinary, type Toxic } from '../infra/toxiproxy/toxiproxy.js';
import { eventually } from '../kit/eventually.js';
import { tempDir } from '../log/helpers.js';
import { missingPart } from '../real-part.js';
import { recordAt } from './fixtures/records.js';

const binary = toxiproxyBinary();
let toxiproxy: Toxiproxy;
let proxies = 0;

beforeAll(async () => {
  if (binary !== undefined) toxiproxy = await Toxiproxy.start(binary);
});
afterAll(async () => {
  await toxiproxy?.stop();
});

interface Mirror {
  proxy: string;
  sender: LinkSender;
  /** Resolves once `total` records are acked and checked in the receiver's queue. */
  finish(): Promise<void>;
}

/** Starts a receiver, a proxy to it, and a sender through the proxy, fed `total` records over time. */
async function mirror(total: number): Promise<Mirror> {
  const a = await tempDir('millrace-link-fault-a-');
  const b = await tempDir('millrace-link-fault-b-');
  const senderQueue = await DiskQueue.open(a.dir);
  const receiverQueue = await DiskQueue.open(b.dir);
  const log = pino({ level: 'silent' });
  const receiver = new LinkReceiver({ queue: receiverQueue, link: 'wan', maxFrameBytes: 1 << 20, log, onPersisted: () => undefined });
  const receiverPort = await receiver.listen('127.0.0.1', 0);
  const proxy = `link${++proxies}`;
  const port = await toxiproxy.proxy(proxy, `127.0.0.1:${receiverPort}`);
  const sender = new LinkSender({
    queue: senderQueue, link: 'wan', host: '127.0.0.1', port, windowBytes: 64 * 1024, maxBatchRecords: 40,
    // Brotli here, LZ4 in the other link tests: both codecs cross every fault.
    maxBatchBytes: 16 * 1024, maxFrameBytes: 1 << 20, compression: { codec: 'brotli', quality: 4 }, ackTimeoutMs: 1500, backoff: { initialMs: 10, maxMs: 200 }, log,
  });
  sender.start();
  const feeding = (async () => {
    for (let s = 1; s <= total; s += 20) {
      await senderQueue.append(Array.from({ length: Math.min(20, total - s + 1) }, (_, i) => recordAt(s + i)));
      sender.notify();
      await sleep(3);
    }
  })();
  return {
    proxy,
    sender,
    async finish() {
      await feeding;
      await eventually(() => sender.stats.seqAcked === total, { what: `all ${total} acked (at ${sender.stats.seqAcked}, ${sender.stats.lastError ?? 'no error'})`, timeoutMs: 60_000 });
      await sender.stop();
      await receiver.close();
      expect(receiverQueue.head).toBe(total);
      for (let seq = 1; seq <= total; ) {
        for (const r of await receiverQueue.read(seq, 1000, 4 << 20)) expect(r).toEqual(recordAt(seq++));
      }
      await senderQueue.close();
      await receiverQueue.close();
      await a.cleanup();
      await b.cleanup();
    },
  };
}

/** Applies `toxics` for `ms`, then removes them. */
async function during(proxy: string, ms: number, toxics: Toxic[]): Promise<void> {
  for (const t of toxics) await toxiproxy.addToxic(proxy, t);
  await sleep(ms);
  for (const t of toxics) await toxiproxy.removeToxic(proxy, t.name);
}

type Fault = (proxy: string, ms: number) => Promise<void>;
const faults: Record<string, Fault> = {
  cut: async (proxy, ms) => {
    await toxiproxy.enable(proxy, false);
    await sleep(ms);
    await toxiproxy.enable(proxy, true);
  },
  stall: (proxy, ms) => during(proxy, ms, [{ name: 'stall', type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } }]),
  slices: (proxy, ms) =>
    during(proxy, ms, [{ name: 'slices', type: 'slicer', stream: 'upstream', attributes: { average_size: 1, size_variation: 0, delay: 0 } }]),
  latency: (proxy, ms) =>
    during(proxy, ms, [
      { name: 'lat-up', type: 'latency', stream: 'upstream', attributes: { latency: 200, jitter: 50 } },
      { name: 'lat-down', type: 'latency', stream: 'downstream', attributes: { latency: 200, jitter: 50 } },
    ]),
  bandwidth: (proxy, ms) => during(proxy, ms, [{ name: 'bw', type: 'bandwidth', stream: 'upstream', attributes: { rate: 1000 } }]),
  resetMidFrame: (proxy, ms) =>
    during(proxy, ms, [{ name: 'reset', type: 'limit_data', stream: 'upstream', attributes: { bytes: 20 + Math.floor(Math.random() * 6000) } }]),
  resetPeer: (proxy, ms) => during(proxy, ms, [{ name: 'rst', type: 'reset_peer', stream: 'upstream', attributes: { timeout: Math.floor(Math.random() * 50) } }]),
};

describe.skipIf(missingPart(binary !== undefined, 'toxiproxy-server', TOXIPROXY_INSTALL))('link through a faulty network (toxiproxy)', () => {
  it.each([
    ['cut', 600],
    ['stall', 2500],
    ['slices', 1500],
    ['latency', 1500],
    ['bandwidth', 1500],
    ['resetMidFrame', 1500],
    ['resetPeer', 800],
  ] as const)('delivers every record exactly once, in order, through %s', async (name, ms) => {
    const m = await mirror(3000);
    await eventually(() => m.sender.stats.seqAcked > 200, { what: 'the stream running' });
    let maxRtt = 0;
    const sampler = setInterval(() => (maxRtt = Math.max(maxRtt, m.sender.stats.rttMs ?? 0)), 10);
    await (faults[name] as Fault)(m.proxy, ms);
    clearInterval(sampler);
    await m.finish();
    if (name === 'latency') expect(maxRtt).toBeGreaterThanOrEqual(200);
    if (['cut', 'stall', 'resetMidFrame', 'resetPeer'].includes(name)) expect(m.sender.stats.reconnects).toBeGreaterThan(0);
  }, 90_000);

  it('delivers every record exactly once, in order, through 50 random faults', async () => {
    const m = await mirror(20_000);
    const names = Object.keys(faults);
    const applied: string[] = [];
    for (let i = 0; i < 50; i++) {
      const name = names[Math.floor(Math.random() * names.length)] as string;
      applied.push(name);
      await (faults[name] as Fault)(m.proxy, 50 + Math.random() * 250);
      await sleep(Math.random() * 100);
    }
    await m.finish();
    expect(applied).toHaveLength(50);
  }, 120_000);
});
