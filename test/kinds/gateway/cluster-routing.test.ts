import { describe, expect, it } from 'vitest';
import { StreamRegistry } from '../../../src/db/stream-registry.js';
import { kafkaSinkKind } from '../../../src/kinds/kafka/sink.js';
import { useKafka } from '../../infra/kafka/fixture.js';
import { missingPart } from '../../real-part.js';
import { kafkaTransport } from '../kafka/helpers.js';
import { batchOf, sendUntilAcked } from './client.js';
import { runGateway } from './harness.js';
import { readTopics, topicCounts } from './read-topics.js';

const token = (id: string): string => `token-for-${id}-0123456789`;

describe("gateway routing by the registry's cluster (two real Kafka clusters)", () => {
  const a = useKafka();
  const b = useKafka('routing-b', 23392);

  it("writes each stream's records to the cluster its registry row names, and only there; a stream naming a cluster the sink does not know is dead-lettered, in neither", { timeout: 120_000 }, async () => {
    if (missingPart(a.brokers.join() !== b.brokers.join(), 'a second Kafka cluster', 'set MILLRACE_KAFKA_BROKERS_ROUTING_B to another broker, or unset MILLRACE_KAFKA_BROKERS')) return;
    const run = `route-${Date.now()}`;
    const streams = { west: 'default', east: 'b', lost: 'c' } as const;
    const gateway = await runGateway({
      streams: Object.fromEntries(Object.keys(streams).map((id) => [id, token(id)])),
      sink: kafkaSinkKind,
      sinkConfig: { topic: `${run}.{stream}`, routes: { clusters: { b: { brokers: b.brokers } } } },
      settings: { clusterHeader: 'cluster' },
      transport: kafkaTransport(a.brokers),
    });
    try {
      const registry = await StreamRegistry.open({ path: gateway.registryPath });
      for (const [id, cluster] of Object.entries(streams)) await registry.update(id, { cluster });
      await registry.close();
      // The registry is read again every 100 ms: wait past a reload before sending.
      await new Promise((r) => setTimeout(r, 500));

      const stored = new Map<string, number>();
      for (const id of Object.keys(streams)) {
        for (let seq = 0; seq < 5; seq++) {
          const ack = await sendUntilAcked(gateway.client, batchOf(id, token(id), 'host-1', seq, Array.from({ length: 20 }, (_, i) => `${id}:${seq}:${i}`)));
          stored.set(id, (stored.get(id) ?? 0) + ack.stored);
        }
      }
      expect([...stored.values()]).toEqual([100, 100, 100]);

      const topics = Object.keys(streams).map((id) => `${run}.${id}`);
      const inA = await topicCounts(a.brokers, topics);
      const inB = await topicCounts(b.brokers, topics);
      // west names the sink's own cluster (a, 'default' in the registry); lost's records are in the dead letter.
      expect(Object.fromEntries(inA)).toEqual({ [`${run}.west`]: 100, [`${run}.east`]: 0, [`${run}.lost`]: 0 });
      expect(Object.fromEntries(inB)).toEqual({ [`${run}.west`]: 0, [`${run}.east`]: 100, [`${run}.lost`]: 0 });
      expect((await readTopics(b.brokers, [`${run}.east`])).sort()).toEqual(Array.from({ length: 5 }, (_, s) => Array.from({ length: 20 }, (_, i) => `east:${s}:${i}`)).flat().sort());
    } finally {
      await gateway.stop();
    }
  });
});
