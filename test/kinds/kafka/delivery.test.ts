import { describe, expect, it } from 'vitest';
import { generatorKind } from '../../../src/kinds/generator.js';
import { kafkaSinkKind } from '../../../src/kinds/kafka/sink.js';
import { kafkaSourceKind } from '../../../src/kinds/kafka/source.js';
import type { TransportConfig } from '../../../src/transport/schema.js';
import { build, collectSink, collected, missing, seqs, start, transports, waitFor, type Collected, useTransport } from './helpers.js';

const N = 100_000;

function producerTopology(transport: TransportConfig, topic: string, count: number, rate = 0) {
  return build(transport, [
    { id: 'gen', role: 'source', kind: generatorKind, config: { count, rate, batchSize: 1000, payloadBytes: 100, keys: 64 } },
    { id: 'out', role: 'sink', kind: kafkaSinkKind, config: { topic, compression: 'lz4' }, inputs: ['gen'], replicas: 2 },
  ]);
}

function consumerTopology(transport: TransportConfig, topic: string, group: string, into: Collected, replicas = 1) {
  return build(transport, [
    { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group, topics: [topic], sessionTimeoutMs: 6000 }, replicas },
    { id: 'store', role: 'sink', kind: collectSink(into), inputs: ['in'] },
  ]);
}

describe.each(transports)('kafka sink and source on the $name transport', ({ setup }) => {
  const env = useTransport(setup);

  it('delivers 100k records from sink to source with none lost, and a group attaching later reads them all from earliest', async () => {
    const topic = `delivery-${Date.now()}`;
    const got = collected();
    const consumer = await start(consumerTopology(env.transport, topic, 'readers', got, 2));
    const producer = await start(producerTopology(env.transport, topic, N));
    expect(await producer.finished).toEqual({ ok: true });
    await waitFor('100k records at the consumer', () => seqs(got.values).size >= N, 90_000);
    await consumer.stop();
    expect(missing(seqs(got.values), N)).toEqual([]);

    const late = collected();
    const latecomer = await start(consumerTopology(env.transport, topic, 'latecomers', late));
    await waitFor('100k records at the late group', () => seqs(late.values).size >= N, 90_000);
    await latecomer.stop();
    expect(missing(seqs(late.values), N)).toEqual([]);
  }, 240_000);

  it('a consumer stopped mid-stream and started again resumes from its committed offsets with none lost', async () => {
    const topic = `resume-${Date.now()}`;
    const total = 30_000;
    const producer = await start(producerTopology(env.transport, topic, total, 10_000));
    const first = collected();
    const a = await start(consumerTopology(env.transport, topic, 'resumers', first));
    await waitFor('a third of the records', () => seqs(first.values).size >= total / 3, 60_000);
    await a.stop();
    const firstCount = first.values.length;
    expect(firstCount).toBeLessThan(total);

    const second = collected();
    const b = await start(consumerTopology(env.transport, topic, 'resumers', second));
    expect(await producer.finished).toEqual({ ok: true });
    const union = (): Set<number> => seqs([...first.values, ...second.values]);
    await waitFor('every record across both runs', () => union().size >= total, 60_000);
    await b.stop();
    expect(missing(union(), total)).toEqual([]);
    // Resumed, not restarted from the beginning: a graceful stop commits everything acknowledged.
    expect(seqs(second.values).size).toBeLessThan(total);
  }, 180_000);
});
