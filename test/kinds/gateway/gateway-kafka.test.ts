import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { AckMessage } from '../../../src/gate/protocol.js';
import { kafkaSinkKind } from '../../../src/kinds/kafka/sink.js';
import { StreamRegistry } from '../../../src/db/stream-registry.js';
import { millrace, topologyDir } from '../../cli/process.js';
import { useKafka } from '../../infra/kafka/fixture.js';
import { eventually } from '../../kit/eventually.js';
import { freePort } from '../../kit/free-port.js';
import { kafkaTransport } from '../kafka/helpers.js';
import { batchOf, send, sendUntilAcked, transportClient } from './client.js';
import { runGateway } from './harness.js';
import { readTopics, topicCounts } from './read-topics.js';

const token = (id: string): string => `token-for-${id}-0123456789`;

describe('gateway into Kafka (real broker)', () => {
  const kafka = useKafka();

  it('keeps nine steady streams served while a tenth floods at 10x its quota, and pushes only the flooder back', { timeout: 120_000 }, async () => {
    const run = `gw-iso-${Date.now()}`;
    const steady = Array.from({ length: 9 }, (_, i) => `steady${i}`);
    const flooder = 'flood';
    const quota = 1000;
    const gateway = await runGateway({
      streams: Object.fromEntries([...steady, flooder].map((id) => [id, token(id)])),
      quotaRecordsPerSec: quota,
      sink: kafkaSinkKind,
      sinkConfig: { topic: `${run}.{stream}` },
      transport: kafkaTransport(kafka.brokers),
    });
    try {
      const steadyErrors: string[] = [];
      const steadyStored = new Map<string, number>(steady.map((id) => [id, 0]));
      const started = Date.now();
      const seconds = 5;
      // Each steady stream: 40 records every 100 ms (400/s, under its quota of 1000/s).
      const steadyLoops = steady.map(async (id) => {
        const inFlight: Promise<void>[] = [];
        for (let seq = 0; seq < seconds * 10; seq++) {
          const values = Array.from({ length: 40 }, (_, i) => `${id}:${seq}:${i}`);
          inFlight.push(
            send(gateway.client, batchOf(id, token(id), 'host-1', seq, values)).then(({ ack, error }) => {
              if (error !== undefined) steadyErrors.push(`${id} ${seq}: ${grpc.status[error.code]} ${error.details}`);
              else steadyStored.set(id, (steadyStored.get(id) ?? 0) + (ack?.stored ?? 0));
            }),
          );
          await sleep(100);
        }
        await Promise.all(inFlight);
      });
      // The flooder: 100 records every 10 ms (10 000/s, ten times its quota), not waiting for answers.
      let floodAccepted = 0;
      let floodPushedBack = 0;
      const floodOther: string[] = [];
      const flood = (async () => {
        const inFlight: Promise<void>[] = [];
        for (let seq = 0; Date.now() - started < seconds * 1000; seq++) {
          const values = Array.from({ length: 100 }, (_, i) => `${flooder}:${seq}:${i}`);
          inFlight.push(
            send(gateway.client, batchOf(flooder, token(flooder), 'host-1', seq, values)).then(({ ack, error }) => {
              if (ack !== undefined) floodAccepted += ack.stored;
              else if (error?.code === grpc.status.RESOURCE_EXHAUSTED && Number(error.metadata.get('retry-after-ms')[0]) > 0) floodPushedBack += 1;
              else floodOther.push(`${error?.code} ${error?.details}`);
            }),
          );
          await sleep(10);
        }
        await Promise.all(inFlight);
      })();
      await Promise.all([...steadyLoops, flood]);
      const elapsed = (Date.now() - started) / 1000;

      expect(steadyErrors).toEqual([]);
      expect([...steadyStored.values()]).toEqual(steady.map(() => seconds * 10 * 40));
      expect(floodOther).toEqual([]);
      expect(floodPushedBack).toBeGreaterThan(0);
      // The flooder got through at most its quota (plus the one second of burst).
      expect(floodAccepted).toBeLessThanOrEqual(quota * (elapsed + 1));
      expect(floodAccepted).toBeGreaterThan(0);
      expect(gateway.status()[`${flooder}.overQuota`]).toBe(floodPushedBack);
      for (const id of steady) expect(gateway.status()[`${id}.overQuota`]).toBe(0);
      // Every acked record is in its stream's topic, once (idempotent producers, acks=all).
      const counts = await topicCounts(kafka.brokers, [...steady, flooder].map((id) => `${run}.${id}`));
      expect(steady.map((id) => counts.get(`${run}.${id}`))).toEqual(steady.map(() => seconds * 10 * 40));
      expect(counts.get(`${run}.${flooder}`)).toBe(floodAccepted);
    } finally {
      await gateway.stop();
    }
  });

  it('a gateway process killed with SIGKILL loses no acked batch: each is in Kafka, duplicates only from unanswered retries', { timeout: 240_000 }, async () => {
    const run = `gw-kill-${Date.now()}`;
    const streams = ['k0', 'k1', 'k2'];
    const port = await freePort();
    const { dir, file } = topologyDir(
      [
        `name: gateway-kill`,
        `dataDir: ./data`,
        `transport: { type: kafka, brokers: [${kafka.brokers.join(', ')}] }`,
        `sources:`,
        `  gw:`,
        `    kind: gateway`,
        `    port: ${port}`,
        `    registry: { path: streams.db }`,
        `sinks:`,
        `  out:`,
        `    kind: kafka`,
        `    inputs: [gw]`,
        `    topic: "{stream}"`,
        '',
      ].join('\n'),
    );
    const registry = await StreamRegistry.open({ path: join(dir, 'streams.db') });
    for (const id of streams) await registry.add({ id, topic: `${run}.${id}` }, token(id));
    await registry.close();

    let gateway = millrace(['run', file], dir);
    const client = transportClient(port);
    const batches = 60;
    const perBatch = 20;
    const inFlightPerStream = 4;
    const acked: AckMessage[] = [];
    const ackedValues = new Set<string>();
    // An agent per stream: batches numbered 0.., four unanswered at most, each retried until acked.
    const agents = streams.map(async (id) => {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < batches) {
          const seq = next++;
          const values = Array.from({ length: perBatch }, (_, i) => `${id}:${seq}:${i}`);
          const ack = await sendUntilAcked(client, batchOf(id, token(id), 'agent-kill', seq, values), 180_000);
          acked.push(ack);
          for (const v of values) ackedValues.add(v);
        }
      };
      await Promise.all(Array.from({ length: inFlightPerStream }, worker));
    });
    const kills = 3;
    try {
      for (let k = 1; k <= kills; k++) {
        await eventually(() => acked.length >= (k * streams.length * batches) / (kills + 1), { what: `acks before kill ${k}`, timeoutMs: 90_000 });
        gateway.proc.kill('SIGKILL');
        expect((await gateway.exited).signal).toBe('SIGKILL');
        gateway = millrace(['run', file], dir);
      }
      await Promise.all(agents);
    } finally {
      client.close();
      gateway.proc.kill('SIGTERM');
      await gateway.exited;
    }
    expect(acked).toHaveLength(streams.length * batches);
    const inKafka = await readTopics(kafka.brokers, streams.map((id) => `${run}.${id}`));
    const seen = new Map<string, number>();
    for (const v of inKafka) seen.set(v, (seen.get(v) ?? 0) + 1);
    expect([...ackedValues].filter((v) => !seen.has(v)), 'acked records missing from Kafka').toEqual([]);
    // A batch stored but not answered when the process died is sent again: at most the
    // unanswered batches of every stream, at every kill.
    const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
    expect(duplicates).toBeLessThanOrEqual(kills * streams.length * inFlightPerStream * perBatch);
    expect(duplicates % perBatch, 'duplicates are whole batches').toBe(0);
    expect(inKafka.length).toBe(ackedValues.size + duplicates);
  });
});
