/**
 * What a running link shows (issue #12 item 6) and what it does when the receiver's disk is full:
 * kafka source (embedded log) -> link sink -> TCP -> link source -> collecting sink, one process,
 * each side its own runtime with the inspector attached.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { attachInspector, type AttachedInspector } from '../../src/inspect/attach.js';
import { TransitionFeed } from '../../src/inspect/transitions.js';
import { fileSinkKind } from '../../src/kinds/file/sink.js';
import { kafkaSourceKind } from '../../src/kinds/kafka/source.js';
import { linkReceiverKind } from '../../src/kinds/link/receiver.js';
import { linkSenderKind } from '../../src/kinds/link/sender.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { payloadText, type LogRecord } from '../../src/streams/record.js';
import { openMessageLog } from '../../src/transport/open-message-log.js';
import type { TransportConfig } from '../../src/transport/schema.js';
import type { Topology } from '../../src/topology/model.js';
import { collectSink } from '../kit/collect-sink.js';
import { eventually } from '../kit/eventually.js';
import { freePort } from '../kit/free-port.js';
import { build, embeddedTransport, shared, type NodePlan } from '../kinds/kafka/helpers.js';
import { quietLog } from '../runtime/harness.js';
import { missingPart } from '../real-part.js';

type Status = Record<string, number | string | null>;

interface Side {
  runtime: Runtime;
  inspector: AttachedInspector;
  status(): Status;
  stop(): Promise<void>;
}

/** A fresh embedded log with `count` records (`n<i>`, one partition) in `topic`, and a port for the link. */
async function fill(topic: string, count: number): Promise<{ transport: TransportConfig; port: number }> {
  const transport = embeddedTransport();
  const producer = openMessageLog(transport, quietLog, shared.acquire).producer({ acks: -1, idempotent: true, compression: 'none', deliveryTimeoutMs: 30_000 });
  await producer.connect();
  for (let i = 0; i < count; i += 1000) {
    await producer.send(topic, Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({ key: 'k', value: Buffer.from(`n${i + j} ${'x'.repeat(80)}`) })));
  }
  await producer.disconnect();
  return { transport, port: await freePort() };
}

/** Runs `t` with the inspector served on 127.0.0.1; `status()` is node `id`'s kind status. */
async function run(t: Topology, id: string, log = quietLog): Promise<Side> {
  const feed = new TransitionFeed();
  const runtime = new Runtime(t, { log, drainTimeoutMs: 10_000, shared, inspect: feed.inspect });
  const inspector = await attachInspector(runtime, feed, { address: { host: '127.0.0.1', port: 0 } });
  await runtime.start();
  return {
    runtime,
    inspector,
    status: () => runtime.nodes.get(id)?.io[0]?.status?.() as unknown as Status,
    async stop() {
      await runtime.stop();
      await inspector.close();
    },
  };
}

function sender(transport: TransportConfig, topic: string, port: number, extra: Record<string, unknown> = {}): Promise<Side> {
  return run(
    build(transport, [
      { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: `mirror-${topic}`, topics: [topic], encoding: 'raw', sessionTimeoutMs: 6000 } },
      { id: 'out', role: 'sink', kind: linkSenderKind, config: { link: topic, host: '127.0.0.1', port, maxBatchRecords: 200, backoff: { initialMs: 50, maxMs: 200 }, ...extra }, inputs: ['in'] },
    ]),
    'out',
  );
}

/** The receiver into `out`: the records collected in memory (their values, or what `as` makes of them), or a file (the exactly-once file sink). */
function receiver(transport: TransportConfig, topic: string, port: number, out: string[] | { file: string }, extra: { queueDir?: string; log?: pino.Logger; as?: (r: LogRecord) => string } = {}): Promise<Side> {
  const sink: NodePlan = Array.isArray(out)
    ? { id: 'out', role: 'sink', kind: collectSink(out, { as: extra.as ?? ((r: LogRecord) => payloadText(r.value)) }), inputs: ['in'] }
    : { id: 'out', role: 'sink', kind: fileSinkKind, config: { path: out.file }, inputs: ['in'] };
  return run(
    build(transport, [{ id: 'in', role: 'source', kind: linkReceiverKind, config: { link: topic, port, ...(extra.queueDir === undefined ? {} : { queueDir: extra.queueDir }) } }, sink]),
    'in',
    extra.log,
  );
}

/** n0 .. n<count-1>, each once, in order. */
function expectAllOnceInOrder(got: readonly string[], count: number): void {
  expect(got.map((v) => Number(/\bn(\d+) /.exec(v)?.[1]))).toEqual(Array.from({ length: count }, (_, i) => i));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('link status, inspector and /metrics', () => {
  it('show sequence numbers, queue depth and age on each side, bytes, RTT, reconnects and replication latency moving as the link runs', async () => {
    const topic = 'observed';
    const count = 20_000;
    const { transport, port } = await fill(topic, count);
    const snd = await sender(transport, topic, port);
    const got: string[] = [];
    let rcv: Side | undefined;
    try {
      // No receiver yet: the sender's queue fills and ages, it keeps reconnecting, nothing is acked.
      await eventually(() => snd.status()['queued'] === count, { what: 'every record queued by the sender', timeoutMs: 60_000 });
      await sleep(1000);
      const waiting = snd.status();
      expect(waiting['seqAcked']).toBe(0);
      expect(waiting['queueDepth']).toBe(count);
      expect(waiting['queueAgeMs']).toBeGreaterThanOrEqual(1000);
      expect(waiting['reconnects']).toBeGreaterThan(0);
      expect(waiting['state']).not.toBe('streaming');
      expect(waiting[`topic.${topic}.queued`]).toBe(count);

      rcv = await receiver(transport, topic, port, got);
      await eventually(() => got.length >= count && rcv?.status()['seqDelivered'] === count, { what: `${count} records mirrored and committed`, timeoutMs: 60_000 });
      await eventually(() => snd.status()['seqAcked'] === count, { what: 'every record acknowledged to the sender', timeoutMs: 10_000 });
      const s = snd.status();
      expect(s).toMatchObject({ state: 'streaming', seqSent: count, seqAcked: count, queueDepth: 0, queueAgeMs: 0, [`topic.${topic}.sent`]: count, [`topic.${topic}.acked`]: count });
      expect(s['bytesCompressed']).toBeGreaterThan(0);
      expect(s['bytesCompressed']).toBeLessThan(s['bytesUncompressed'] as number);
      expect(s['rttMs']).toBeGreaterThanOrEqual(0);
      const r = rcv.status();
      expect(r).toMatchObject({ seqPersisted: count, seqDelivered: count, queueDepth: 0, queueAgeMs: 0, queueError: null, [`topic.${topic}.persisted`]: count, [`topic.${topic}.delivered`]: count });
      expect(r['bytesUncompressed']).toBeGreaterThan(r['bytesReceived'] as number);
      // The records were written before the receiver existed: they reached downstream at least a second after their timestamps.
      expect(r['replicationLatencyMs']).toBeGreaterThanOrEqual(1000);
      expect(r[`topic.${topic}.latencyMs`]).toBeGreaterThanOrEqual(1000);

      const metrics = await (await fetch(new URL('metrics', rcv.inspector.url))).text();
      expect(metrics).toContain(`millrace_kind_status{actor="in",replica="0",field="topic.${topic}.delivered"} ${count}`);
      expect(metrics).toMatch(/millrace_kind_status\{actor="in",replica="0",field="replicationLatencyMs"\} \d+/);
      const senderMetrics = await (await fetch(new URL('metrics', snd.inspector.url))).text();
      expect(senderMetrics).toContain(`millrace_kind_status{actor="out",replica="0",field="seqAcked"} ${count}`);
      expect(senderMetrics).toMatch(/millrace_kind_status\{actor="out",replica="0",field="rttMs"\} \d+/);
      const actors = JSON.stringify(await (await fetch(new URL('api/actors', rcv.inspector.url))).json());
      expect(actors).toContain(`"topic.${topic}.persisted":${count}`);
      expectAllOnceInOrder(got, count);
    } finally {
      await snd.stop();
      await rcv?.stop();
    }
  }, 120_000);

  it('keeps the replication latency moving on an idle link with heartbeats: one crosses every interval and is delivered downstream in the heartbeat topic', async () => {
    const topic = 'idle';
    const { transport, port } = await fill(topic, 10);
    const got: string[] = [];
    const rcv = await receiver(transport, topic, port, got, { as: (r) => `${r.stream} ${r.key === undefined ? '' : payloadText(r.key)} ${payloadText(r.value)}` });
    const snd = await sender(transport, topic, port, { heartbeat: { intervalMs: 100, topic: 'hb.dc1' } });
    try {
      await eventually(() => rcv.status()[`topic.${topic}.delivered`] === 10, { what: 'the 10 records mirrored' });
      // Idle from here: only heartbeats cross, and each one moves the receiver's counters and latency.
      const delivered = (): number => (rcv.status()['topic.hb.dc1.delivered'] as number | undefined) ?? 0;
      const before = delivered();
      await eventually(() => delivered() >= before + 10, { what: '10 more heartbeats delivered' });
      const r = rcv.status();
      expect(r['topic.hb.dc1.latencyMs']).toBeGreaterThanOrEqual(0);
      expect(r['topic.hb.dc1.latencyMs']).toBeLessThan(5000);
      expect(r['replicationLatencyMs']).toBe(r['topic.hb.dc1.latencyMs']);
      expect(snd.status()['heartbeatsQueued']).toBeGreaterThanOrEqual(before + 10);
      const beats = got.filter((g) => g.startsWith('hb.dc1 ')).map((g) => g.split(' '));
      expect(beats.length).toBeGreaterThanOrEqual(before + 10);
      // Keyed by the link, the sender's clock in the value, in the order queued.
      expect(beats.every(([, key]) => key === topic)).toBe(true);
      const values = beats.map(([, , value]) => JSON.parse(value as string) as { link: string; ts: number });
      expect(values.every((v) => v.link === topic)).toBe(true);
      expect(values.map((v) => v.ts)).toEqual([...values.map((v) => v.ts)].sort((a, b) => a - b));
      expect(got.filter((g) => g.startsWith(`${topic} `))).toHaveLength(10);
    } finally {
      await snd.stop();
      await rcv.stop();
    }
  }, 60_000);
});

/** A 1 MiB tmpfs for the receiver's queue, when this process may mount one (root). */
function smallDisk(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'link-disk-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return undefined;
  }
}

describe('link receiver with a full disk', () => {
  const disk = smallDisk();
  afterAll(() => {
    if (disk === undefined) return;
    execFileSync('umount', [disk]);
    rmSync(disk, { recursive: true, force: true });
  });

  it.skipIf(missingPart(disk !== undefined, 'a small tmpfs for the receiver queue (mount needs root)', 'run the tests as root, as .ci/run does'))(
    'stops acking and says why while its queue has no space, the sender queue holds the rest, and everything arrives once, in order, when space returns',
    async () => {
      const topic = 'diskfull';
      const count = 20_000;
      const { transport, port } = await fill(topic, count);
      const lines: string[] = [];
      const log = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => done(void lines.push(chunk.toString())) }));
      const file = join(mkdtempSync(join(tmpdir(), 'link-disk-full-out-')), 'mirrored.log');
      const mirrored = (): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(0, -1) : []);
      const rcv = await receiver(transport, topic, port, { file }, { queueDir: join(disk as string, 'queue'), log });
      const snd = await sender(transport, topic, port);
      try {
        await eventually(() => typeof rcv.status()['queueError'] === 'string', { what: "the receiver's queue to run out of space", timeoutMs: 60_000 });
        expect(rcv.status()['queueError']).toMatch(/ENOSPC|no space/i);
        expect(lines.join('')).toMatch(/appending to the receiver's queue failed \(.*(ENOSPC|no space).*\).*free space/i);
        await eventually(() => snd.status()['queued'] === count, { what: 'the sender to queue everything', timeoutMs: 60_000 });
        const acked = snd.status()['seqAcked'] as number;
        await sleep(1500);
        // Stuck: no more acks, the rest waits in the sender's queue.
        expect(snd.status()['seqAcked']).toBe(acked);
        expect(acked).toBeLessThan(count);
        expect(snd.status()['queueDepth']).toBe(count - acked);
        expect(mirrored().length).toBeLessThan(count);

        execFileSync('mount', ['-o', 'remount,size=64m', disk as string]);
        await eventually(() => mirrored().length >= count && snd.status()['seqAcked'] === count, { what: `${count} records mirrored after space returned`, timeoutMs: 90_000 });
        await sleep(500);
        expectAllOnceInOrder(mirrored(), count);
        expect(rcv.status()['queueError']).toBeNull();
      } catch (err) {
        throw new Error(`${(err as Error).message}; ${mirrored().length} lines in the file; sender ${JSON.stringify(snd.status())}; receiver ${JSON.stringify(rcv.status())}; last warnings: ${lines.slice(-3).join('')}`, { cause: err });
      } finally {
        await snd.stop();
        await rcv.stop();
        rmSync(dirname(file), { recursive: true, force: true });
      }
    },
    150_000,
  );
});
