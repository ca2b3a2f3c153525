import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lifecycleState } from '../../../src/actors/lifecycle.js';
import { generatorKind } from '../../../src/kinds/generator.js';
import { kafkaSinkKind } from '../../../src/kinds/kafka/sink.js';
import { kafkaSourceKind } from '../../../src/kinds/kafka/source.js';
import { ensureKafka, killBroker, noOwnBroker, restartBroker } from '../../infra/kafka/broker.js';
import { useKafka } from '../../infra/kafka/fixture.js';
import { asText, collectSink } from '../../kit/collect-sink.js';
import { eventually } from '../../kit/eventually.js';
import { build, kafkaTransport, missing, seqs, start } from './helpers.js';

const KILL_PORT = 24092;
const CHILD = fileURLToPath(new URL('./consumer-child.ts', import.meta.url));

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0) : [];
}

function spawnConsumer(brokers: string[], topic: string, group: string, out: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD, brokers.join(','), topic, group, out], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** A generator of `gen.count` keyed 100 B records into `topic` through a kafka sink with `deliveryTimeoutMs`. */
function producing(transport: ReturnType<typeof kafkaTransport>, topic: string, gen: { count: number; rate: number; batchSize: number }, deliveryTimeoutMs: number): ReturnType<typeof start> {
  return start(
    build(transport, [
      { id: 'gen', role: 'source', kind: generatorKind, config: { ...gen, payloadBytes: 100, keys: 16 } },
      { id: 'out', role: 'sink', kind: kafkaSinkKind, config: { topic, deliveryTimeoutMs }, inputs: ['gen'] },
    ]),
  );
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe('kafka kinds survive crashes (real broker)', () => {
  const kafka = useKafka();

  it('a consumer process killed with SIGKILL mid-stream is restarted and resumes from committed offsets with none lost', async () => {
    const topic = `kill-consumer-${Date.now()}`;
    const total = 40_000;
    const dir = mkdtempSync(join(tmpdir(), 'millrace-kill-'));
    const transport = kafkaTransport(kafka.brokers);
    const producer = await start(
      build(transport, [
        { id: 'gen', role: 'source', kind: generatorKind, config: { count: total, rate: 8000, batchSize: 500, payloadBytes: 100, keys: 16 } },
        { id: 'out', role: 'sink', kind: kafkaSinkKind, config: { topic }, inputs: ['gen'] },
      ]),
    );
    const firstFile = join(dir, 'first.txt');
    const first = spawnConsumer(kafka.brokers, topic, 'killed', firstFile);
    await eventually(() => lines(firstFile).length >= total / 4, { what: 'a quarter of the records in the first process', timeoutMs: 90_000 });
    first.kill('SIGKILL');
    await killed(first);

    const secondFile = join(dir, 'second.txt');
    const second = spawnConsumer(kafka.brokers, topic, 'killed', secondFile);
    try {
      expect(await producer.finished).toEqual({ ok: true });
      const union = (): Set<number> => seqs([...lines(firstFile), ...lines(secondFile)]);
      await eventually(() => union().size >= total, { what: 'every record across both processes', timeoutMs: 90_000 });
      expect(missing(union(), total)).toEqual([]);
      // It resumed: the second process did not read the topic again from the start.
      expect(seqs(lines(secondFile)).size).toBeLessThan(total);
    } finally {
      second.kill('SIGKILL');
      await killed(second);
    }
  }, 240_000);

  // Below Linux's ephemeral port range (32768-60999): while the broker is down, clients reconnecting
  // in a loop can be given its port as their own local port (a TCP self-connect), and the broker
  // could not bind it again on restart.
  it.skipIf(noOwnBroker())(
    'the broker killed with SIGKILL and restarted mid-stream loses no acknowledged record: the sink backs off as NotConnected and reconnects',
    async () => {
      const own = await ensureKafka('millrace-kafka-kill', KILL_PORT);
      try {
        const topic = `kill-broker-${Date.now()}`;
        const total = 40_000;
        const transport = kafkaTransport(own.brokers);
        const producer = await producing(transport, topic, { count: total, rate: 5000, batchSize: 500 }, 3000);
        const got: string[] = [];
        const consumer = await start(
          build(transport, [
            { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: 'through-the-crash', topics: [topic], sessionTimeoutMs: 6000 } },
            { id: 'store', role: 'sink', kind: collectSink(got, { as: asText }), inputs: ['in'] },
          ]),
        );
        await eventually(() => got.length >= 5000, { what: 'records flowing before the crash', timeoutMs: 60_000 });
        // Every state the sink's actor passes through (polling could miss a 100 ms backoff under load).
        const sinkStates = new Set<string>();
        const watch = producer.nodes.get('out')?.actors[0]?.subscribe((snapshot) => sinkStates.add(lifecycleState(snapshot)));
        await killBroker('millrace-kafka-kill');
        const atCrash = seqs(got).size;
        await restartBroker('millrace-kafka-kill', KILL_PORT);
        expect(await producer.finished).toEqual({ ok: true });
        watch?.unsubscribe();
        // The outage outlasted deliveryTimeoutMs: the sink reported NotConnected and reconnected.
        expect(sinkStates).toContain('backoff');
        await eventually(() => seqs(got).size >= total, { what: 'every record after the restart', timeoutMs: 120_000 });
        await consumer.stop();
        expect(atCrash).toBeLessThan(total);
        expect(missing(seqs(got), total)).toEqual([]);
      } finally {
        await own.stop();
      }
    },
    300_000,
  );

  it.skipIf(noOwnBroker())(
    'a broker outage shorter than deliveryTimeoutMs shows as state degraded with its reason in the sink status, and clears after the restart with none lost',
    async () => {
      const own = await ensureKafka('millrace-kafka-kill', KILL_PORT);
      try {
        const topic = `outage-${Date.now()}`;
        // 30 s of records: sends are still going on when the broker dies.
        const total = 60_000;
        const transport = kafkaTransport(own.brokers);
        const producer = await producing(transport, topic, { count: total, rate: 2000, batchSize: 200 }, 240_000);
        const sink = producer.nodes.get('out');
        const status = (): { state?: string; degraded?: number; reason?: string; since?: string } => (sink?.io[0]?.status?.() ?? {}) as never;
        await eventually(() => status().state === 'ok' && (sink?.metrics.recordsIn ?? 0) >= 5000, { what: 'records flowing before the outage', timeoutMs: 60_000 });
        const sinkStates = new Set<string>();
        const watch = sink?.actors[0]?.subscribe((snapshot) => sinkStates.add(lifecycleState(snapshot)));
        await killBroker('millrace-kafka-kill');
        const seen = new Set<string>();
        await eventually(() => seen.add(JSON.stringify(status())) && status().state === 'degraded', { what: 'the sink to show degraded while the broker is down', timeoutMs: 60_000 }).catch((error: unknown) => {
          throw new Error(`${String(error)}; statuses seen: ${[...seen].join(' | ')}; actor states: ${[...sinkStates].join(', ')}; in: ${sink?.metrics.recordsIn}`);
        });
        const down = status();
        expect(down.degraded).toBe(1);
        expect(down.reason).toMatch(/\S/);
        expect(Number.isNaN(Date.parse(down.since ?? ''))).toBe(false);
        await restartBroker('millrace-kafka-kill', KILL_PORT);
        expect(await producer.finished).toEqual({ ok: true });
        watch?.unsubscribe();
        expect(status()).toMatchObject({ state: 'ok', degraded: 0 });
        // Shorter than the delivery timeout: the send was retried in place, the actor never backed off.
        expect(sinkStates).not.toContain('backoff');
        const got: string[] = [];
        const consumer = await start(
          build(transport, [
            { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: 'after-the-outage', topics: [topic], start: 'earliest' } },
            { id: 'store', role: 'sink', kind: collectSink(got, { as: asText }), inputs: ['in'] },
          ]),
        );
        await eventually(() => seqs(got).size >= total, { what: 'every record after the outage', timeoutMs: 120_000 });
        await consumer.stop();
        expect(missing(seqs(got), total)).toEqual([]);
      } finally {
        await own.stop();
      }
    },
    300_000,
  );
});
