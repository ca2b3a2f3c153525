import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamRegistry } from '../../src/db/stream-registry.js';
import { Dispatcher } from '../../src/runtime/dispatcher.js';
import { useKafka } from '../infra/kafka/fixture.js';
import { eventually } from '../kit/eventually.js';
import { readTable } from '../kinds/hive/helpers.js';
import { quietLog } from './harness.js';
import { createTopic, fileSink, sendSeqs, seqsIn, tally } from './dispatch-helpers.js';

describe('dispatcher: one job per active stream of the registry (real Kafka)', () => {
  const kafka = useKafka();
  const open: { dispatcher: Dispatcher; registry: StreamRegistry }[] = [];

  async function dispatching(): Promise<{ dispatcher: Dispatcher; registry: StreamRegistry; dir: string; run: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-dispatch-'));
    const registry = await StreamRegistry.open({ path: join(dir, 'streams.db') });
    const dispatcher = new Dispatcher(registry, { log: quietLog, dataDir: join(dir, 'data'), clusters: new Map([['default', kafka.brokers]]), once: false, pollMs: 200, drainTimeoutMs: 5000 });
    open.push({ dispatcher, registry });
    return { dispatcher, registry, dir, run: `${Date.now()}-${open.length}` };
  }

  afterEach(async () => {
    for (const { dispatcher, registry } of open.splice(0)) {
      await dispatcher.close();
      await registry.close();
    }
  }, 60_000);

  it("delivers the records of two streams' topics to each stream's file sink", async () => {
    const { dispatcher, registry, dir, run } = await dispatching();
    const [a, b] = [`orders-${run}`, `clicks-${run}`];
    for (const id of [a, b]) {
      await createTopic(kafka.brokers, id, 2);
      await registry.add({ id, sinks: [fileSink(`out/${id}.txt`)] });
    }
    await dispatcher.start();
    await Promise.all([sendSeqs(kafka.brokers, a, 0, 3000), sendSeqs(kafka.brokers, b, 0, 2000)]);
    const out = (id: string): number[] => seqsIn(join(dir, 'data', 'out', `${id}.txt`));
    await eventually(() => out(a).length >= 3000 && out(b).length >= 2000, { what: 'both streams delivered', timeoutMs: 60_000 });
    expect(tally(out(a), 3000)).toEqual({ missing: 0, doubled: 0 });
    expect(tally(out(b), 2000)).toEqual({ missing: 0, doubled: 0 });
    expect(dispatcher.status().map((j) => [j.stream, j.state])).toEqual([
      [b, 'running'],
      [a, 'running'],
    ]);
  }, 120_000);

  it("writes a stream with a hive sink as Parquet in its table: every record once", async () => {
    const { dispatcher, registry, dir, run } = await dispatching();
    const id = `events-${run}`;
    await createTopic(kafka.brokers, id, 2);
    const hive = { type: 'hive', id: 'warehouse', backend: { type: 'local', dir: 'warehouse' }, table: id, columns: [{ name: 'seq', type: 'int64', required: true }], commit: { intervalMs: 300 } };
    await registry.add({ id, format: 'json', sinks: [hive] });
    await dispatcher.start();
    const producer = new kafkajs.Kafka({ brokers: kafka.brokers, logLevel: kafkajs.logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: id, messages: Array.from({ length: 2000 }, (_, seq) => ({ key: String(seq % 5), value: JSON.stringify({ seq }) })) });
    await producer.disconnect();
    const seqs = async (): Promise<number[]> => [...(await readTable(join(dir, 'data', 'warehouse', id))).values()].flat().map((r) => Number(r.seq));
    await eventually(async () => (await seqs()).length >= 2000, { what: 'the stream in Parquet', timeoutMs: 60_000 });
    expect(tally(await seqs(), 2000)).toEqual({ missing: 0, doubled: 0 });
  }, 120_000);

  it('a stream disabled while running stops its job, its records wait in Kafka, and re-enabled it resumes with none lost or doubled', async () => {
    const { dispatcher, registry, dir, run } = await dispatching();
    const id = `paused-${run}`;
    await createTopic(kafka.brokers, id, 3);
    await registry.add({ id, sinks: [fileSink(`out/${id}.txt`)] });
    await dispatcher.start();
    const out = (): number[] => seqsIn(join(dir, 'data', 'out', `${id}.txt`));
    // Disabled while records flow: what the job took is committed, the rest stays in the topic.
    const sending = sendSeqs(kafka.brokers, id, 0, 20_000);
    await eventually(() => out().length > 0, { what: 'the first records', timeoutMs: 60_000 });
    await registry.disable(id);
    await eventually(() => dispatcher.status().length === 0, { what: 'the job stopped', timeoutMs: 30_000 });
    await sending;
    const whileDisabled = out().length;
    expect(whileDisabled).toBeLessThan(20_000);
    await sendSeqs(kafka.brokers, id, 20_000, 5000);
    expect(out().length).toBe(whileDisabled);

    await registry.update(id, { state: 'active' });
    await eventually(() => out().length >= 25_000, { what: 'every record after re-enabling', timeoutMs: 60_000 });
    expect(tally(out(), 25_000)).toEqual({ missing: 0, doubled: 0 });
  }, 180_000);

  it('a stream whose sink fails (OpenSearch on a closed port) does not stall another stream, and its job is reported failing', async () => {
    const { dispatcher, registry, dir, run } = await dispatching();
    const [broken, fine] = [`broken-${run}`, `fine-${run}`];
    await createTopic(kafka.brokers, broken, 1);
    await createTopic(kafka.brokers, fine, 1);
    // Port 9 (discard) refuses connections on 127.0.0.1.
    await registry.add({ id: broken, format: 'json', sinks: [{ type: 'opensearch', id: 'search', url: 'http://127.0.0.1:9', index: broken }] });
    await registry.add({ id: fine, sinks: [fileSink(`out/${fine}.txt`)] });
    await dispatcher.start();
    await sendSeqs(kafka.brokers, broken, 0, 1000);
    await sendSeqs(kafka.brokers, fine, 0, 5000);
    const out = (): number[] => seqsIn(join(dir, 'data', 'out', `${fine}.txt`));
    await eventually(() => out().length >= 5000, { what: 'the healthy stream delivered', timeoutMs: 60_000 });
    expect(tally(out(), 5000)).toEqual({ missing: 0, doubled: 0 });
    await eventually(() => dispatcher.status().find((j) => j.stream === broken)?.lastError?.includes('127.0.0.1:9'), { what: "the failing sink's error in the status", timeoutMs: 30_000 });
  }, 120_000);

  it('a stream whose sinks are invalid is reported with the field, and its fix starts the job', async () => {
    const { dispatcher, registry, dir, run } = await dispatching();
    const id = `typo-${run}`;
    await createTopic(kafka.brokers, id, 1);
    await registry.add({ id, sinks: [{ type: 'fiel', path: 'x.txt' }] });
    await dispatcher.start();
    expect(dispatcher.status()).toMatchObject([{ stream: id, state: 'invalid', error: expect.stringMatching(/sinks\[0\]\.type: expected one of (\w+, )*file(, \w+)*, found "fiel"/) }]);
    await registry.update(id, { sinks: [{ type: 'file', path: `out/${id}.txt`, format: 'lines', colour: 'red' }] });
    await eventually(() => dispatcher.status()[0]?.error?.includes('colour'), { what: 'the unknown setting named', timeoutMs: 10_000 });
    await registry.update(id, { sinks: [fileSink(`out/${id}.txt`)] });
    await sendSeqs(kafka.brokers, id, 0, 100);
    await eventually(() => seqsIn(join(dir, 'data', 'out', `${id}.txt`)).length >= 100, { what: 'the fixed stream delivered', timeoutMs: 60_000 });
  }, 120_000);
});
