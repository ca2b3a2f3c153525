import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamRegistry } from '../../src/db/stream-registry.js';
import { kafkaSinkKind } from '../../src/kinds/kafka/sink.js';
import { serveQuality } from '../../src/inspect/quality-http.js';
import type { QualityRow } from '../../src/quality/quality-rows.js';
import { QualityStore } from '../../src/quality/quality-store.js';
import { windowOf } from '../../src/quality/window.js';
import { Dispatcher } from '../../src/runtime/dispatcher.js';
import { millrace } from '../cli/process.js';
import { useKafka } from '../infra/kafka/fixture.js';
import { runGateway, type RunningGateway } from '../kinds/gateway/harness.js';
import { kafkaTransport } from '../kinds/kafka/helpers.js';
import { eventually } from '../kit/eventually.js';
import { createTopic, fileSink, seqsIn, tally } from '../runtime/dispatch-helpers.js';
import { capturedLog, sendThroughGateway } from './helpers.js';

const token = (id: string): string => `token-of-${id}-0123456789`;
const FIVE_MINUTES = 5 * 60_000;
const GRACE_MS = 4000;

/** Joins the counts until no row of `stream` is within its grace period; returns the alerts raised meanwhile. */
async function judged(dispatcher: Dispatcher, store: QualityStore, streams: readonly string[]): Promise<QualityRow[]> {
  const alerts: QualityRow[] = [];
  await eventually(
    async () => {
      alerts.push(...((await dispatcher.quality?.judge()) ?? []));
      const rows = (await Promise.all(streams.map((s) => store.rows(s)))).flat();
      return rows.length > 0 && rows.every((r) => r.state !== 'open');
    },
    { what: 'every window judged', timeoutMs: 30_000, intervalMs: 250 },
  );
  return alerts;
}

describe('quality: counts at the gateway and at each sink, joined per stream and minute (real Kafka)', () => {
  const kafka = useKafka();
  const open: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const close of open.splice(0).reverse()) await close();
  }, 60_000);

  /** A gateway writing each stream to its topic, and a dispatcher counting quality, over one registry. */
  async function pipeline(streams: readonly string[]): Promise<{ gateway: RunningGateway; registry: StreamRegistry; store: QualityStore; dispatcher: Dispatcher; dataDir: string; lines: ReturnType<typeof capturedLog>['lines'] }> {
    for (const id of streams) await createTopic(kafka.brokers, id, 2);
    const gateway = await runGateway({ streams: Object.fromEntries(streams.map((id) => [id, token(id)])), sink: kafkaSinkKind, sinkConfig: { topic: '{stream}' }, transport: kafkaTransport(kafka.brokers) });
    open.push(() => gateway.stop());
    const registry = await StreamRegistry.open({ path: gateway.registryPath });
    const store = await QualityStore.open({ path: gateway.registryPath });
    open.push(async () => {
      await registry.close();
      await store.close();
    });
    const { log, lines } = capturedLog();
    const dataDir = join(gateway.runtime.topology.dataDir, 'dispatch');
    const dispatcher = new Dispatcher(registry, { log, dataDir, clusters: new Map([['default', kafka.brokers]]), once: false, pollMs: 200, drainTimeoutMs: 3000, quality: { store, graceMs: GRACE_MS, everyMs: 60_000 } });
    open.push(() => dispatcher.close());
    return { gateway, registry, store, dispatcher, dataDir, lines };
  }

  it('N records through gateway -> Kafka -> dispatcher -> file sink give received = delivered = N; records a module dead-letters show as lost (alerted once), records produced to Kafka past the gateway as extra', async () => {
    const run = Date.now();
    const [ok, filtered, direct] = [`q-ok-${run}`, `q-dead-${run}`, `q-direct-${run}`];
    const { gateway, registry, store, dispatcher, dataDir, lines } = await pipeline([ok, filtered, direct]);
    // Every tenth record throws in the module: dead-lettered with the reason, its neighbours delivered.
    const module = join(dataDir, '..', 'tenth.mjs');
    writeFileSync(module, "export default (r) => { if (Number(String(r.value).slice(4)) % 10 === 0) throw new Error('tenth record'); return r; };\n");
    await registry.update(ok, { sinks: [fileSink('ok.txt')] });
    await registry.update(filtered, { sinks: [fileSink('filtered.txt')], module: { path: module } });
    await registry.update(direct, { sinks: [fileSink('direct.txt')] });
    await dispatcher.start();

    const eventTs = Date.now() - FIVE_MINUTES;
    expect(await sendThroughGateway(gateway, ok, token(ok), 3000, eventTs)).toBe(3000);
    expect(await sendThroughGateway(gateway, filtered, token(filtered), 1000, eventTs)).toBe(1000);
    expect(await sendThroughGateway(gateway, direct, token(direct), 1000, eventTs)).toBe(1000);
    const producer = new kafkajs.Kafka({ brokers: kafka.brokers, logLevel: kafkajs.logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: direct, messages: Array.from({ length: 200 }, (_, k) => ({ value: `seq=${1000 + k}`, timestamp: String(eventTs) })) });
    await producer.disconnect();

    const out = (name: string): number[] => seqsIn(join(dataDir, `${name}.txt`));
    await eventually(() => out('ok').length >= 3000 && out('filtered').length >= 900 && out('direct').length >= 1200, { what: 'every stream delivered', timeoutMs: 60_000 });
    expect(tally(out('ok'), 3000)).toEqual({ missing: 0, doubled: 0 });

    const alerted = await judged(dispatcher, store, [ok, filtered, direct]);
    const window = windowOf(eventTs);
    expect(await store.rows(ok)).toMatchObject([{ stream: ok, windowStart: window, sink: 'archive', received: 3000, delivered: 3000, duplicated: 0, lost: 0, extra: 0, state: 'ok', alerted: false }]);
    expect(await store.rows(filtered)).toMatchObject([{ sink: 'archive', received: 1000, delivered: 900, lost: 100, extra: 0, state: 'lost', alerted: true }]);
    expect(await store.rows(direct)).toMatchObject([{ sink: 'archive', received: 1000, delivered: 1200, lost: 0, extra: 200, state: 'ok' }]);
    // Event time five minutes back: the latency reported is about that (buckets within 10%).
    const [row] = await store.rows(ok);
    expect(row?.p50Ms).toBeGreaterThan(0.9 * FIVE_MINUTES);
    expect(row?.p99Ms).toBeLessThan(1.2 * (FIVE_MINUTES + 60_000));
    // The dead-lettered records carry the module's reason.
    const deadFile = join(dataDir, filtered, 'deadletter.jsonl');
    expect(existsSync(deadFile) && readFileSync(deadFile, 'utf8').split('\n').filter((l) => l.includes('tenth record')).length).toBe(100);

    expect(alerted.map((r) => [r.stream, r.sink, r.lost])).toEqual([[filtered, 'archive', 100]]);
    const alertLines = lines.filter((l) => l.msg.startsWith('quality alert'));
    expect(alertLines.map((l) => l.msg)).toEqual([expect.stringContaining(`stream ${filtered} window ${new Date(window).toISOString()} sink archive: 900 of 1000 records delivered`)]);
    expect(await dispatcher.quality?.judge()).toEqual([]);
    expect(lines.filter((l) => l.msg.startsWith('quality alert'))).toHaveLength(1);

    const cli = await millrace(['quality', ok, '--registry', gateway.registryPath, '--json']).exited;
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual(await store.rows(ok));
    const text = await millrace(['quality', '--registry', gateway.registryPath]).exited;
    expect(text.stdout).toMatch(new RegExp(`^${filtered}\\s+\\S+ \\S+\\s+archive\\s+1000\\s+900\\s+0\\s+100\\s+0\\s+\\d+\\s+\\d+\\s+lost$`, 'm'));
  }, 180_000);

  it('a stalled sink (OpenSearch on a closed port) raises one alert line and the alert metric once its window is past the grace period; the other sink of the stream is ok', async () => {
    const id = `q-stall-${Date.now()}`;
    const { gateway, registry, store, dispatcher, dataDir, lines } = await pipeline([id]);
    await registry.update(id, { sinks: [fileSink('archive.txt'), { type: 'opensearch', id: 'search', url: 'http://127.0.0.1:9', index: id }] });
    await dispatcher.start();
    const eventTs = Date.now() - FIVE_MINUTES;
    // Acked by the gateway once in Kafka, whatever the dispatcher's sinks do.
    expect(await sendThroughGateway(gateway, id, token(id), 500, eventTs)).toBe(500);
    await eventually(() => seqsIn(join(dataDir, 'archive.txt')).length >= 500, { what: 'the file sink delivered', timeoutMs: 60_000 });

    const quality = dispatcher.quality;
    if (quality === undefined) throw new Error('the dispatcher counts quality');
    const served = await serveQuality(quality, () => dispatcher.status(), { host: '127.0.0.1', port: 0, lookbackMs: 3_600_000 });
    open.push(async () => void served.server.close());
    await judged(dispatcher, store, [id]);
    expect(await store.rows(id)).toMatchObject([
      { sink: 'archive', received: 500, delivered: 500, state: 'ok' },
      { sink: 'search', received: 500, delivered: 0, lost: 500, p50Ms: null, state: 'lost', alerted: true },
    ]);
    expect(lines.filter((l) => l.msg.startsWith('quality alert')).map((l) => [l.stream, l.sink])).toEqual([[id, 'search']]);

    const api = (await (await fetch(`http://127.0.0.1:${served.port}/api/quality`)).json()) as { alerts: number; streams: Record<string, { sink: string; state: string }[]> };
    expect(api.alerts).toBe(1);
    expect(api.streams[id]?.map((r) => [r.sink, r.state])).toEqual([
      ['archive', 'ok'],
      ['search', 'lost'],
    ]);
    const metrics = await (await fetch(`http://127.0.0.1:${served.port}/metrics`)).text();
    expect(metrics).toContain('millrace_quality_alerts_total 1');
    expect(metrics).toContain(`millrace_quality_lost_windows{stream="${id}",sink="search"} 1`);
    expect(metrics).toContain(`millrace_quality_lost_records{stream="${id}",sink="search"} 500`);
    expect(metrics).toContain(`millrace_quality_delivered_records{stream="${id}",sink="archive"} 500`);
  }, 180_000);
});
