import { describe, expect, it } from 'vitest';
import { generatorKind } from '../../../src/kinds/generator.js';
import { kafkaSinkKind } from '../../../src/kinds/kafka/sink.js';
import { kafkaSourceKind } from '../../../src/kinds/kafka/source.js';
import type { TransportConfig } from '../../../src/transport/schema.js';
import { asText, collectSink } from '../../kit/collect-sink.js';
import { eventually } from '../../kit/eventually.js';
import { build, missing, seqs, start, transports, useTransport } from './helpers.js';

const N = 100_000;

function producerTopology(transport: TransportConfig, topic: string, count: number, rate = 0) {
  return build(transport, [
    { id: 'gen', role: 'source', kind: generatorKind, config: { count, rate, batchSize: 1000, payloadBytes: 100, keys: 64 } },
    { id: 'out', role: 'sink', kind: kafkaSinkKind, config: { topic, compression: 'lz4' }, inputs: ['gen'], replicas: 2 },
  ]);
}

function consumerTopology(transport: TransportConfig, topic: string, group: string, into: string[], replicas = 1) {
  return build(transport, [
    { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group, topics: [topic], sessionTimeoutMs: 6000 }, replicas },
    { id: 'store', role: 'sink', kind: collectSink(into, { as: asText }), inputs: ['in'] },
  ]);
}

describe.each(transports)('kafka sink and source on the $name transport', ({ setup }) => {
  const env = useTransport(setup);

  it('delivers 100k records from sink to source with none lost, and a group attaching later reads them all from earliest', async () => {
    const topic = `delivery-${Date.now()}`;
    const got: string[] = [];
    const consumer = await start(consumerTopology(env.transport, topic, 'readers', got, 2));
    const producer = await start(producerTopology(env.transport, topic, N));
    expect(await producer.finished).toEqual({ ok: true });
    await eventually(() => seqs(got).size >= N, { what: '100k records at the consumer', timeoutMs: 90_000 });
    await consumer.stop();
    expect(missing(seqs(got), N)).toEqual([]);

    const late: string[] = [];
    const latecomer = await start(consumerTopology(env.transport, topic, 'latecomers', late));
    await eventually(() => seqs(late).size >= N, { what: '100k records at the late group', timeoutMs: 90_000 });
    await latecomer.stop();
    expect(missing(seqs(late), N)).toEqual([]);
  }, 240_000);

  it('a consumer stopped mid-stream and started again resumes from its committed offsets with none lost', async () => {
    const topic = `resume-${Date.now()}`;
    const total = 30_000;
    const producer = await start(producerTopology(env.transport, topic, total, 10_000));
    const first: string[] = [];
    const a = await start(consumerTopology(env.transport, topic, 'resumers', first));
    await eventually(() => seqs(first).size >= total / 3, { what: 'a third of the records', timeoutMs: 60_000 });
    await a.stop();
    const firstCount = first.length;
    expect(firstCount).toBeLessThan(total);

    const second: string[] = [];
    const b = await start(consumerTopology(env.transport, topic, 'resumers', second));
    expect(await producer.finished).toEqual({ ok: true });
    const union = (): Set<number> => seqs([...first, ...second]);
    await eventually(() => union().size >= total, { what: 'every record across both runs', timeoutMs: 60_000 });
    await b.stop();
    expect(missing(union(), total)).toEqual([]);
    // Resumed, not restarted from the beginning: a graceful stop commits everything acknowledged.
    expect(seqs(second).size).toBeLessThan(total);
  }, 180_000);
});
