import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaSourceKind } from '../../../src/kinds/kafka/source.js';
import type { Runtime } from '../../../src/runtime/runtime.js';
import { asText, collectSink, Gate } from '../../kit/collect-sink.js';
import { eventually } from '../../kit/eventually.js';
import { useKafka } from '../../infra/kafka/fixture.js';
import { build, kafkaTransport, missing, produce, seqs, start } from './helpers.js';

/** Records fetched by `runtime`'s source and not yet committed, over its partitions. */
function inFlight(runtime: Runtime): number {
  const status = runtime.nodes.get('in')?.io[0]?.status?.() as { partitions?: { position: number | null; committed: number | null }[] } | undefined;
  return (status?.partitions ?? []).reduce((n, p) => n + (p.position ?? 0) - (p.committed ?? 0), 0);
}

describe('kafka source in a group that rebalances', () => {
  const kafka = useKafka();

  it('a second member joining mid-stream makes the group read again at most what was in flight, and nothing is lost', async () => {
    const transport = kafkaTransport(kafka.brokers);
    const topic = `rebalance-${Date.now()}`;
    const total = 60_000;
    const admin = new kafkajs.Kafka({ brokers: kafka.brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
    await admin.disconnect();
    await produce(transport, topic, total);

    const member = (got: string[], gate?: Gate): ReturnType<typeof build> =>
      build(transport, [
        { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: 'sharing', topics: [topic], maxBufferedRecords: 2000, maxBufferedBytes: 256 * 1024, sessionTimeoutMs: 6000 } },
        { id: 'store', role: 'sink', kind: collectSink(got, gate === undefined ? { as: asText } : { as: asText, gate }), inputs: ['in'], maxRecords: 1000 },
      ]);
    const first: string[] = [];
    const gate = new Gate();
    const a = await start(member(first, gate));
    // Let the first member deliver a part, then hold its sink: what it fetched stays in flight.
    await eventually(() => first.length >= 10_000, { what: 'a first part', timeoutMs: 60_000 });
    gate.close();
    await eventually(() => inFlight(a) > 0, { what: 'records in flight', timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 1000));
    const held = inFlight(a);

    const second: string[] = [];
    const b = await start(member(second));
    await eventually(() => second.length > 0, { what: 'the second member reading', timeoutMs: 60_000 });
    gate.open();
    await eventually(() => seqs([...first, ...second]).size >= total, { what: 'every record', timeoutMs: 120_000 });
    await Promise.all([a.stop(), b.stop()]);

    const all = [...first, ...second];
    expect(missing(seqs(all), total)).toEqual([]);
    // Read twice: only records that were fetched but not acknowledged when the group rebalanced.
    const again = all.length - total;
    expect(again, `held in flight: ${held}`).toBeLessThanOrEqual(held + 2000);
    expect(held).toBeLessThan(8000);
  }, 240_000);
});
