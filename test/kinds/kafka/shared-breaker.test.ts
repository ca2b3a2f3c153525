import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { SinkIO } from '../../../src/actors/io.js';
import { SharedResources } from '../../../src/core/shared-resources.js';
import { kafkaSinkKind } from '../../../src/kinds/kafka/sink.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import { useKafka } from '../../infra/kafka/fixture.js';
import { actorContext } from '../../kit/actor-context.js';
import { freePort } from '../../kit/free-port.js';
import { kafkaTransport } from './helpers.js';

interface BreakerStatus {
  breaker?: string;
  breakerTransitions?: number;
  recordsToSecondary?: number;
}

const kafka = useKafka();

describe('kafka sink replicas and the circuit breaker', () => {
  it('replicas of one sink share one breaker: a trip by one replica moves the others too, and each replica writes to the secondary without a breaker of its own', async () => {
    const secondary = kafka.brokers;
    const topic = `shared-breaker-${Date.now()}`;
    const admin = new Kafka({ brokers: secondary, clientId: 'shared-breaker-test', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    // The primary cluster: a port on which nothing listens.
    const primary = kafkaTransport([`127.0.0.1:${await freePort()}`]);
    const config = kafkaSinkKind.config.parse({ topic, failover: { brokers: secondary, maxShare: 1, openMs: 60_000, connectionTimeoutMs: 3000 } });
    const shared = new SharedResources().acquire;
    const dir = actorContext().stateDir;
    const replicas: SinkIO[] = [];
    for (const replica of [0, 1]) replicas.push((await kafkaSinkKind.create(config, actorContext({ id: 'out', replica, replicas: 2, dir, shared, transport: primary }))) as SinkIO);
    const status = (i: number): BreakerStatus => (replicas[i]!.status?.() ?? {}) as BreakerStatus;
    try {
      expect(status(1)).toMatchObject({ breaker: 'closed', breakerTransitions: 0 });
      await replicas[0]!.connect();
      // Replica 1 has not connected (nor written) yet: it sees the breaker replica 0 opened.
      expect(status(1)).toMatchObject({ breaker: 'open', breakerTransitions: 1 });
      await replicas[1]!.connect();
      expect(status(0)).toMatchObject({ breaker: 'open', breakerTransitions: 1 });

      for (const [i, io] of replicas.entries()) {
        const records = Array.from({ length: 50 }, (_, n) => ({ value: `replica ${i} record ${n}`, ts: Date.now() }));
        await io.write(makeBatch(records, Ack.none(), `r${i}`));
        expect(status(i).recordsToSecondary).toBe(50);
      }
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0)).toBe(100);

      // Replica 0 leaving does not close the breaker replica 1 still routes through.
      await replicas[0]!.close();
      expect(status(1)).toMatchObject({ breaker: 'open', breakerTransitions: 1 });
    } finally {
      await Promise.all(replicas.map((io) => io.close()));
      await admin.disconnect();
    }
  }, 90_000);
});
