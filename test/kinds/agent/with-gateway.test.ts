// The agent sink against the real `gateway` source (src/kinds/gateway) in a runtime, its registry
// holding two streams: the protocol peer it is built for.
import { afterEach, describe, expect, it } from 'vitest';
import type { SinkIO } from '../../../src/actors/io.js';
import { agentSinkKind } from '../../../src/kinds/agent/sink.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import type { LogRecord } from '../../../src/streams/record.js';
import { actorContext } from '../../kit/actor-context.js';
import { asText, collectSink, Gate } from '../../kit/collect-sink.js';
import { eventually } from '../../kit/eventually.js';
import { runGateway, type RunningGateway } from '../gateway/harness.js';

const STREAMS = { a: 'token-a-0123456789abcdef', b: 'token-b-0123456789abcdef' };
const running: RunningGateway[] = [];
const sinks: SinkIO[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  await Promise.all(running.splice(0).map((g) => g.stop()));
});

async function gateway(got: string[], gate?: Gate, port?: number): Promise<RunningGateway> {
  const g = await runGateway({ streams: STREAMS, sink: collectSink(got, { as: (r) => `${r.stream ?? '-'}:${asText(r)}`, ...(gate ? { gate } : {}) }), ...(port ? { settings: { port } } : {}) });
  running.push(g);
  return g;
}

async function agent(port: number, settings: Record<string, unknown> = {}): Promise<SinkIO> {
  const config = agentSinkKind.config.parse({
    gateways: [`127.0.0.1:${port}`],
    streams: { a: { token: STREAMS.a }, b: { token: STREAMS.b } },
    backoff: { initialMs: 20, maxMs: 200 },
    health: { intervalMs: 100, timeoutMs: 500 },
    ...settings,
  });
  const io = (await agentSinkKind.create(config, actorContext({ id: 'agent' }))) as SinkIO;
  await io.connect();
  sinks.push(io);
  return io;
}

const records = (stream: string, from: number, n: number): LogRecord[] =>
  Array.from({ length: n }, (_, i) => ({ value: `${stream}${from + i}`, stream, ts: 1_700_000_000_000 }));
const write = (io: SinkIO, recs: LogRecord[]) => io.write(makeBatch(recs, Ack.none(), 'test'));

describe('agent sink with the gateway source', () => {
  it('is acked only once the gateway stored the batch downstream (spill off)', async () => {
    const got: string[] = [];
    const gate = new Gate();
    gate.close();
    const gw = await gateway(got, gate);
    const io = await agent(gw.port, { spill: { enabled: false } });
    let done = false;
    const writing = write(io, [...records('a', 0, 20), ...records('b', 0, 20)]).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 500));
    expect(done, 'acked before the gateway stored it').toBe(false);
    gate.open();
    await writing;
    expect(got.map((v) => v.slice(v.indexOf(':') + 1)).sort()).toEqual([...records('a', 0, 20), ...records('b', 0, 20)].map((r) => r.value as string).sort());
  });

  it('spills while the gateway is stopped and delivers everything, in order per stream, to the gateway started again', async () => {
    const first: string[] = [];
    const gw = await gateway(first);
    const io = await agent(gw.port, { maxBatchRecords: 10 });
    await write(io, records('a', 0, 10));
    await gw.stop();
    running.splice(running.indexOf(gw), 1);
    for (let i = 10; i < 100; i += 10) await write(io, [...records('a', i, 10), ...records('b', i, 10)]);
    expect((io.status?.() as { spilledBatches: number }).spilledBatches).toBeGreaterThan(0);
    const second: string[] = [];
    await gateway(second, undefined, gw.port);
    await eventually(() => second.length >= 180, { what: '180 records at the second gateway', timeoutMs: 20_000 });
    const values = (got: string[], s: string) => got.map((v) => v.slice(v.indexOf(':') + 1)).filter((v) => v.startsWith(s));
    expect([...values(first, 'a'), ...values(second, 'a')]).toEqual(records('a', 0, 100).map((r) => r.value));
    expect(values(second, 'b')).toEqual(records('b', 10, 90).map((r) => r.value));
  });

  it("dead-letters records of an unknown stream and of a wrong token with the gateway's reason", async () => {
    const got: string[] = [];
    const gw = await gateway(got);
    const io = await agent(gw.port, { streams: { a: { token: 'wrong-token-0123456789' }, b: { token: STREAMS.b } } });
    const out = await write(io, [...records('a', 0, 2), ...records('nope', 0, 2), ...records('b', 0, 2)]);
    expect(out?.dead?.map((d) => d.reason)).toEqual([
      expect.stringContaining('UNAUTHENTICATED'),
      expect.stringContaining('UNAUTHENTICATED'),
      expect.stringContaining('NOT_FOUND'),
      expect.stringContaining('NOT_FOUND'),
    ]);
    expect(got.map((v) => v.slice(v.indexOf(':') + 1))).toEqual(['b0', 'b1']);
  });
});
