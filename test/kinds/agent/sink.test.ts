import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { SinkIO } from '../../../src/actors/io.js';
import { agentSinkKind } from '../../../src/kinds/agent/sink.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import type { LogRecord } from '../../../src/streams/record.js';
import { actorContext } from '../../kit/actor-context.js';
import { eventually } from '../../kit/eventually.js';
import { GatewayPeer } from './gateway-peer.js';

const peers: GatewayPeer[] = [];
const sinks: SinkIO[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  for (const p of peers.splice(0)) p.down();
});

async function peer(): Promise<GatewayPeer> {
  const p = await GatewayPeer.start();
  peers.push(p);
  return p;
}

async function sink(settings: Record<string, unknown>, dir?: string): Promise<SinkIO> {
  const config = agentSinkKind.config.parse({ backoff: { initialMs: 20, maxMs: 200 }, health: { intervalMs: 100, timeoutMs: 500 }, timeoutMs: 2000, ...settings });
  const io = (await agentSinkKind.create(config, actorContext({ id: 'agent', ...(dir ? { dir } : {}) }))) as SinkIO;
  await io.connect();
  sinks.push(io);
  return io;
}

const records = (stream: string, from: number, n: number): LogRecord[] =>
  Array.from({ length: n }, (_, i) => ({ value: `${stream}-${from + i}`, stream, ts: 1_700_000_000_000 + from + i }));

const expected = (stream: string, n: number): string[] => records(stream, 0, n).map((r) => r.value as string);

const write = (io: SinkIO, recs: LogRecord[]) => io.write(makeBatch(recs, Ack.none(), 'test'));

describe('agent sink', () => {
  it('acks a write only once the gateway acked its batches (spill off), through delays and failures', async () => {
    const gw = await peer();
    const io = await sink({ gateways: [gw.address], spill: { enabled: false } });
    gw.behaviour = { mode: 'fail', code: grpc.status.UNAVAILABLE };
    let done = false;
    const writing = write(io, [...records('a', 0, 50), ...records('b', 0, 50)]).then(() => (done = true));
    await eventually(() => gw.calls >= 3, { what: 'three failed attempts' });
    expect(done, 'acked without a gateway Ack').toBe(false);
    gw.behaviour = { mode: 'ack', delayMs: 300 };
    await eventually(() => gw.stored.length > 0, { what: 'a batch stored' });
    await writing;
    expect(gw.values('a')).toEqual(expected('a', 50));
    expect(gw.values('b')).toEqual(expected('b', 50));
    expect(io.status?.()).toMatchObject({ ackedRecords: 100, spilledBatches: 0 });
    expect((io.status?.() as { retried: number }).retried).toBeGreaterThan(0);
  });

  it('merges the writes that wait behind a slow ack into one batch per stream, in order, numbered from 0', async () => {
    const gw = await peer();
    gw.behaviour = { mode: 'ack', delayMs: 300 };
    const io = await sink({ gateways: [gw.address], spill: { enabled: false }, maxBatchRecords: 25 });
    // The first write goes alone; the next 30 arrive while it waits for its ack.
    const writes = [write(io, records('a', 0, 1))];
    await eventually(() => gw.calls === 1, { what: 'the first batch sent' });
    for (let i = 1; i <= 30; i++) writes.push(write(io, records('a', 1 + (i - 1) * 2, 2)));
    await Promise.all(writes);
    expect(gw.values('a')).toEqual(expected('a', 61));
    const batches = [...new Set(gw.stored.map((r) => r.sequence))];
    // 60 waiting records at most 25 per batch: 3 batches after the first, not 30.
    expect(batches).toEqual(['0', '1', '2', '3']);
    expect(gw.calls).toBe(4);
  });

  it('spills while the gateway is down and replays everything in order per stream when it is back', async () => {
    const gw = await peer();
    const io = await sink({ gateways: [gw.address], maxBatchRecords: 10, spill: { segmentBytes: 4096, maxBytes: 1024 * 1024 } });
    await write(io, records('a', 0, 30));
    gw.down();
    for (let i = 30; i < 300; i += 30) await write(io, [...records('a', i, 30), ...records('b', i - 30, 30)]);
    const status = io.status?.() as { spilledBatches: number; spillBytes: number; ackedRecords: number };
    expect(status.spilledBatches).toBeGreaterThan(0);
    expect(status.spillBytes).toBeGreaterThan(0);
    await gw.up();
    await eventually(() => gw.stored.length >= 570, { what: 'all 570 records at the gateway' });
    expect(gw.values('a')).toEqual(expected('a', 300));
    expect(gw.values('b')).toEqual(expected('b', 270));
    await eventually(() => (io.status?.() as { spillPending: number }).spillPending === 0, { what: 'an empty spill queue' });
  });

  it('keeps a batch its sequence number when it is retried after a lost answer (the gateway counts the duplicate)', async () => {
    const gw = await peer();
    const io = await sink({ gateways: [gw.address] });
    gw.behaviour = { mode: 'lose-answer' };
    await write(io, records('a', 0, 5));
    gw.behaviour = { mode: 'ack' };
    await eventually(() => gw.duplicates === 5, { what: 'the replayed batch counted as a duplicate' });
    expect(gw.values('a')).toEqual(expected('a', 5));
    await eventually(() => expect(io.status?.()).toMatchObject({ duplicates: 5 }), { what: 'the duplicates counted by the agent' });
  });

  it('honours retry-after-ms on pushback', async () => {
    const gw = await peer();
    const io = await sink({ gateways: [gw.address], backoff: { initialMs: 1, maxMs: 5 } });
    gw.behaviour = { mode: 'pushback', retryAfterMs: 400 };
    await write(io, records('a', 0, 5));
    const from = gw.calls;
    await new Promise((r) => setTimeout(r, 1000));
    // 1 ms backoff alone would retry hundreds of times in a second.
    expect(gw.calls - from).toBeLessThanOrEqual(4);
    gw.behaviour = { mode: 'ack' };
    await eventually(() => gw.values('a').length === 5, { what: 'the batch after pushback' });
  });

  it('fails over to the second gateway when the first goes away, and back when it serves again', async () => {
    const [one, two] = [await peer(), await peer()];
    const io = await sink({ gateways: [one.address, two.address] });
    await write(io, records('a', 0, 10));
    expect(one.values('a')).toHaveLength(10);
    one.serving = false;
    await eventually(() => (io.status?.() as { gateway: string }).gateway === two.address, { what: 'the second gateway chosen' });
    await write(io, records('a', 10, 10));
    await eventually(() => two.values('a').length === 10, { what: 'records at the second gateway' });
    one.serving = true;
    await eventually(() => (io.status?.() as { gateway: string }).gateway === one.address, { what: 'the first gateway again' });
    await write(io, records('a', 20, 10));
    await eventually(() => one.values('a').length === 20, { what: 'records at the first gateway again' });
    expect([...one.values('a'), ...two.values('a')].sort()).toEqual(expected('a', 30).sort());
    one.down();
    await write(io, records('a', 30, 10));
    await eventually(() => two.values('a').length === 20, { what: 'records at the second after the first went away' });
    expect((io.status?.() as { failovers: number }).failovers).toBeGreaterThanOrEqual(2);
  });

  it('limits a stream to its rate without slowing another', async () => {
    const gw = await peer();
    const io = await sink({ gateways: [gw.address], maxBatchRecords: 20, streams: { slow: { rate: { recordsPerSecond: 200, burst: 20 } } } });
    const t0 = performance.now();
    for (let i = 0; i < 400; i += 40) await write(io, [...records('slow', i, 40), ...records('fast', i, 40)]);
    await eventually(() => gw.values('slow').length === 400, { what: 'all slow records', timeoutMs: 20_000 });
    const fastDone = Math.max(...gw.stored.filter((s) => s.streamId === 'fast').map((s) => s.at)) - t0;
    const slowDone = Math.max(...gw.stored.filter((s) => s.streamId === 'slow').map((s) => s.at)) - t0;
    expect(gw.values('fast')).toEqual(expected('fast', 400));
    expect(gw.values('slow')).toEqual(expected('slow', 400));
    // 400 records at 200/s after a burst of 20 take at least 1.9 s; the fast stream is not held back by them.
    expect(slowDone).toBeGreaterThanOrEqual(1800);
    expect(fastDone).toBeLessThan(slowDone / 2);
  });

  it('dead-letters the records of a batch the gateway refuses for good, with its reason, and sends the rest', async () => {
    const gw = await peer();
    const io = await sink({ gateways: [gw.address] });
    gw.behaviour = { mode: 'fail', code: grpc.status.NOT_FOUND };
    const out = await write(io, [...records('unknown', 0, 3), { value: 'no stream', ts: 1 }]);
    expect(out?.dead?.map((d) => d.reason)).toEqual([
      expect.stringContaining('no stream id'),
      ...Array.from({ length: 3 }, () => expect.stringContaining('NOT_FOUND')),
    ]);
    // gRPC's own "message larger than max": RESOURCE_EXHAUSTED without a retry-after-ms is final too.
    gw.behaviour = { mode: 'fail', code: grpc.status.RESOURCE_EXHAUSTED };
    expect((await write(io, records('huge', 0, 2)))?.dead?.map((d) => d.reason)).toEqual([expect.stringContaining('RESOURCE_EXHAUSTED'), expect.stringContaining('RESOURCE_EXHAUSTED')]);
    gw.behaviour = { mode: 'ack' };
    expect(await write(io, records('a', 0, 3))).toBeUndefined();
    expect(gw.values('a')).toEqual(expected('a', 3));
  });
});

describe('agent sink closing', () => {
  it('closes while a write waits for a gateway that is down (spill off): the write fails, close does not hang', async () => {
    const gw = await peer();
    gw.down();
    const io = await sink({ gateways: [gw.address], spill: { enabled: false } });
    const writing = write(io, records('a', 0, 3));
    await new Promise((r) => setTimeout(r, 200));
    await io.close();
    await expect(writing).rejects.toThrow();
  });
});
