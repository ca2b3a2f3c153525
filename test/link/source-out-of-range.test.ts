/**
 * Source data purged before the sender read it (Kafka DeleteRecords moves the log start past the
 * group's committed offset, as retention does): the mirror fails loudly with the topic, partition
 * and offset, queues nothing and leaves the committed offset where it was; it never skips the gap
 * silently (MirrorMaker 2's failure mode).
 */
import kafkajs from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { kafkaSourceKind } from '../../src/kinds/kafka/source.js';
import { linkSenderKind } from '../../src/kinds/link/sender.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { ensureKafka } from '../infra/kafka/broker.js';
import { eventually } from '../kit/eventually.js';
import { freePort } from '../kit/free-port.js';
import { build, kafkaTransport, produce, shared } from '../kinds/kafka/helpers.js';

describe('mirror link: source offset out of range', () => {
  it('fails loudly and queues nothing when the records after the committed offset were purged', async () => {
    const kafka = await ensureKafka('a', 19092);
    const transport = kafkaTransport(kafka.brokers);
    const topic = `purged-${Date.now()}`;
    const admin = new kafkajs.Kafka({ brokers: kafka.brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await produce(transport, topic, 3000);
      await admin.setOffsets({ groupId: 'mirror', topic, partitions: [{ partition: 0, offset: '500' }] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '2000' }] });

      const errors: string[] = [];
      const log = pino({ level: 'error' }, { write: (line: string) => void errors.push(line) });
      const runtime = new Runtime(
        build(transport, [
          { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: 'mirror', topics: [topic], encoding: 'raw', sessionTimeoutMs: 6000 } },
          { id: 'out', role: 'sink', kind: linkSenderKind, config: { link: 'purged', host: '127.0.0.1', port: await freePort() }, inputs: ['in'] },
        ]),
        { log, drainTimeoutMs: 5000, shared },
      );
      await runtime.start();
      try {
        await eventually(() => errors.some((l) => l.includes('out of range')), { what: 'the mirror failing', timeoutMs: 60_000 });
        const status = runtime.nodes.get('out')?.io[0]?.status?.() as { queued?: number } | undefined;
        expect(status?.queued).toBe(0);
      } finally {
        await runtime.stop();
      }
      expect(errors.find((l) => l.includes('out of range'))).toContain(`offset 500 of group mirror is out of range for ${topic}/0`);
      const [entry] = await admin.fetchOffsets({ groupId: 'mirror', topics: [topic] });
      expect(entry?.partitions.find((p) => p.partition === 0)?.offset).toBe('500');
    } finally {
      await admin.disconnect();
      await kafka.stop();
    }
  }, 120_000);
});
