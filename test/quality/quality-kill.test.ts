import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { StreamRegistry } from '../../src/db/stream-registry.js';
import { kafkaSinkKind } from '../../src/kinds/kafka/sink.js';
import { QualityStore } from '../../src/quality/quality-store.js';
import { millrace } from '../cli/process.js';
import { useKafka } from '../infra/kafka/fixture.js';
import { runGateway } from '../kinds/gateway/harness.js';
import { kafkaTransport } from '../kinds/kafka/helpers.js';
import { eventually } from '../kit/eventually.js';
import { createTopic, fileSink, seqsIn, tally } from '../runtime/dispatch-helpers.js';
import { sendThroughGateway } from './helpers.js';

describe('quality across a dispatcher kill -9 (real Kafka, real processes)', () => {
  const kafka = useKafka();

  it("a kill -9 of the dispatcher mid-stream neither loses nor inflates the delivered count: received = delivered = N, lost 0, the restart's lateness alerted", async () => {
    const id = `q-kill-${Date.now()}`;
    const total = 20_000;
    await createTopic(kafka.brokers, id, 2);
    const token = `token-of-${id}-0123456789`;
    const gateway = await runGateway({ streams: { [id]: token }, sink: kafkaSinkKind, sinkConfig: { topic: '{stream}' }, transport: kafkaTransport(kafka.brokers) });
    const dir = mkdtempSync(join(tmpdir(), 'millrace-quality-kill-'));
    const registry = await StreamRegistry.open({ path: gateway.registryPath });
    await registry.update(id, { sinks: [fileSink('out.txt')] });
    await registry.close();
    const store = await QualityStore.open({ path: gateway.registryPath });
    const start = (): ReturnType<typeof millrace> =>
      millrace(['dispatch', '--registry', gateway.registryPath, '--brokers', kafka.brokers.join(','), '--data-dir', join(dir, 'data'), '--poll-ms', '500', '--quality', '--grace-ms', '3000', '--quality-every-ms', '500']);
    const out = (): number[] => seqsIn(join(dir, 'data', 'out.txt'));
    const eventTs = Date.now() - 5 * 60_000;
    const first = start();
    let second: ReturnType<typeof millrace> | undefined;
    try {
      // Sent in five parts, so the stream still flows when the dispatcher is killed.
      const sending = (async () => {
        for (let part = 0; part < 5; part++) await sendThroughGateway(gateway, id, token, total / 5, eventTs, `host-${part}`, (part * total) / 5);
      })();
      await eventually(() => out().length > 0, { what: 'the first records delivered', timeoutMs: 60_000 });
      first.proc.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      const beforeKill = out().length;
      await sending;
      second = start();
      // The group gives the dead member's partitions back after its session timeout (30 s).
      await eventually(() => out().length >= total, { what: 'every record delivered after the restart', timeoutMs: 120_000 });
      expect(tally(out(), total).missing).toBe(0);
      await eventually(async () => (await store.rows(id)).some((r) => r.state !== 'open' && r.delivered >= total), { what: 'the window judged with every record', timeoutMs: 30_000 });
      // A few more joins (every 500 ms): nothing more is counted as delivered.
      await sleep(2000);
      const rows = await store.rows(id);
      expect(rows.map((r) => [r.sink, r.received, r.delivered, r.lost, r.extra, r.state])).toEqual([['archive', total, total, 0, 0, 'ok']]);
      // The restart waited for the group's session timeout, past the 3 s grace: that delay was alerted (the row stays marked).
      process.stderr.write(`quality kill -9: ${beforeKill} records delivered before the kill, ${rows[0]?.duplicated} read again and counted as duplicated, delivered ${rows[0]?.delivered} of ${total}, alerted while late: ${rows[0]?.alerted}\n`);
    } finally {
      first.proc.kill('SIGKILL');
      second?.proc.kill('SIGTERM');
      if (second !== undefined) expect((await second.exited).code).toBe(0);
      await store.close();
      await gateway.stop();
    }
  }, 240_000);
});
