import { describe, expect, it } from 'vitest';
import { kafkaSourceKind } from '../../../src/kinds/kafka/source.js';
import { asText, collectSink } from '../../kit/collect-sink.js';
import { build, missing, produce, seqs, start, transports, useTransport } from './helpers.js';

describe.each(transports)('kafka source until: end on the $name transport', ({ setup }) => {
  const env = useTransport(setup);

  it('three replicas of one group read every record once up to the ends and all end (the run finishes), also a replica left without partitions', async () => {
    const topic = `until-end-${Date.now()}`;
    const n = 20_000;
    await produce(env.transport, topic, n);
    const got: string[] = [];
    const copy = await start(
      build(env.transport, [
        // Three partitions on the embedded log, one on an auto-created Kafka topic: a replica or two get none.
        { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: 'backfill', topics: [topic], until: 'end', sessionTimeoutMs: 6000 }, replicas: 3 },
        { id: 'store', role: 'sink', kind: collectSink(got, { as: asText }), inputs: ['in'] },
      ]),
    );
    expect(await copy.finished).toEqual({ ok: true });
    expect(got.length).toBe(n);
    expect(missing(seqs(got), n)).toEqual([]);
  }, 180_000);
});
