import { describe, expect, it } from 'vitest';
import { ProducerPool } from '../../../src/kinds/kafka/producer-pool.js';
import type { LogProducer, OutgoingMessage } from '../../../src/transport/message-log.js';
import { openMessageLog } from '../../../src/transport/open-message-log.js';
import { quietLog } from '../../runtime/harness.js';
import { shared, transports, useTransport } from './helpers.js';

const HOT_RECORDS = 200_000;
const HOT_WRITE = 5000;

/** The real producer, timing each send: a request in flight cannot be preempted, so it is part of the bound. */
function timed(producer: LogProducer, sends: number[]): LogProducer {
  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    async send(topic, batch) {
      const t0 = performance.now();
      await producer.send(topic, batch);
      sends.push(performance.now() - t0);
    },
  };
}

function messages(stream: string, from: number, n: number): OutgoingMessage[] {
  return Array.from({ length: n }, (_, i) => ({ key: `${stream}-${(from + i) % 32}`, value: Buffer.from(`${stream} ${from + i} ${'x'.repeat(80)}`) }));
}

describe.each(transports)('kafka producer pool on the $name transport', ({ setup }) => {
  const env = useTransport(setup);

  it("a surge on a hot stream does not starve a cold stream: the cold stream's latency stays bounded by about a time slice", async () => {
    const log = openMessageLog(env.transport, quietLog, shared.acquire);
    const producer = log.producer({ acks: -1, idempotent: true, compression: 'none', deliveryTimeoutMs: 30_000 });
    await producer.connect();
    const sends: number[] = [];
    const sliceMs = 50;
    // One producer for both streams: only the time slices keep the cold stream moving.
    const pool = new ProducerPool([timed(producer, sends)], { sliceMs, maxProducersPerQueue: 1, maxRecords: 2000, maxBytes: 1024 * 1024, lingerMs: 0 });
    pool.start();
    const topic = `fair-${Date.now()}`;
    try {
      // Topic creation and metadata are paid before the surge, not by the first cold write.
      await pool.write([{ stream: 'warm-up', topic, messages: messages('warm-up', 0, 1) }]);
      const hotStart = performance.now();
      const hot = Promise.all(
        Array.from({ length: HOT_RECORDS / HOT_WRITE }, (_, w) => pool.write([{ stream: 'hot', topic, messages: messages('hot', w * HOT_WRITE, HOT_WRITE) }])),
      ).then(() => performance.now() - hotStart);
      let hotDone = false;
      void hot.then(() => (hotDone = true));

      const coldLatencies: number[] = [];
      for (let i = 0; !hotDone || i < 5; i++) {
        const sent = performance.now();
        await pool.write([{ stream: 'cold', topic, messages: messages('cold', i, 1) }]);
        coldLatencies.push(performance.now() - sent);
        await new Promise((r) => setTimeout(r, 20));
      }
      const hotMs = await hot;
      const worstCold = Math.max(...coldLatencies);
      const worstSend = Math.max(...sends);
      // Each cold write waits at most for the rest of a hot slice, the hot request in flight at
      // its end, and its own request; never for the hot backlog, which took far longer.
      expect(coldLatencies.length).toBeGreaterThan(5);
      expect(worstCold).toBeLessThan(sliceMs + 2 * worstSend + 100);
      expect(hotMs).toBeGreaterThan(4 * worstCold);
    } finally {
      await pool.stop();
      await producer.disconnect();
    }
  }, 180_000);
});
