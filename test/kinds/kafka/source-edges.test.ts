import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { kafkaSourceKind } from '../../../src/kinds/kafka/source.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import { acquireEmbeddedLog } from '../../../src/transport/embedded-log-pool.js';
import { openMessageLog } from '../../../src/transport/open-message-log.js';
import type { TransportConfig } from '../../../src/transport/schema.js';
import { quietLog } from '../../runtime/harness.js';
import { asText, collectSink } from '../../kit/collect-sink.js';
import { eventually } from '../../kit/eventually.js';
import { build, missing, produce, seqs, shared, start, transports, useTransport } from './helpers.js';

/** Commits `offset` for `group` on partition 0 of `topic`, as an operator or an old run would have. */
async function commitOffset(transport: TransportConfig, group: string, topic: string, offset: number): Promise<void> {
  if (transport.type === 'embedded') {
    const lease = await acquireEmbeddedLog(transport.dir, shared.acquire);
    await lease.resource.commitOffset(group, topic, 0, offset);
    await lease.release();
    return;
  }
  const admin = new kafkajs.Kafka({ brokers: transport.brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: String(offset) }] });
  await admin.disconnect();
}

async function committedOffset(transport: TransportConfig, group: string, topic: string): Promise<number | undefined> {
  if (transport.type === 'embedded') {
    const lease = await acquireEmbeddedLog(transport.dir, shared.acquire);
    const offset = lease.resource.committedOffset(group, topic, 0);
    await lease.release();
    return offset;
  }
  const admin = new kafkajs.Kafka({ brokers: transport.brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  await admin.disconnect();
  const offset = entry?.partitions.find((p) => p.partition === 0)?.offset;
  return offset === undefined ? undefined : Number(offset);
}

describe.each(transports)('kafka source edge cases on the $name transport', ({ setup }) => {
  const env = useTransport(setup);

  it('dead-letters undecodable json values with topic, partition, offset and reason, and delivers the rest', async () => {
    const topic = `mixed-${Date.now()}`;
    const producer = openMessageLog(env.transport, quietLog, shared.acquire).producer({ acks: -1, idempotent: true, compression: 'none', deliveryTimeoutMs: 30_000 });
    await producer.connect();
    await producer.send(topic, Array.from({ length: 100 }, (_, i) => ({ value: Buffer.from(i % 10 === 0 ? `not json ${i}` : JSON.stringify({ i })) })));
    await producer.disconnect();
    const got: string[] = [];
    const t = build(env.transport, [
      { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: 'decoders', topics: [topic], encoding: 'json', sessionTimeoutMs: 6000 } },
      { id: 'store', role: 'sink', kind: collectSink(got, { as: asText }), inputs: ['in'] },
    ]);
    const runtime = await start(t);
    const file = join(t.dataDir, 'deadletter.jsonl');
    const dead = (): { reason: string; value: string }[] =>
      existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { reason: string; value: string }) : [];
    await eventually(() => got.length >= 90 && dead().length >= 10, { what: '90 records and 10 dead letters', timeoutMs: 60_000 });
    await runtime.stop();
    expect(new Set(got.map((v) => (JSON.parse(v) as { i: number }).i)).size).toBe(90);
    expect(dead().map((d) => d.value).sort()).toEqual(Array.from({ length: 10 }, (_, k) => `not json ${k * 10}`).sort());
    for (const d of dead()) expect(d.reason).toMatch(new RegExp(`^${topic}/\\d+@\\d+: not valid json`));
  }, 120_000);

  it('with offsetOutOfRange: fail, an offset beyond the log stops the source loudly and is never silently reset', async () => {
    const topic = `out-of-range-${Date.now()}`;
    await produce(env.transport, topic, 3000);
    await commitOffset(env.transport, 'strict', topic, 1_000_000);
    const errors: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void errors.push(line) });
    const got: string[] = [];
    const runtime = new Runtime(
      build(env.transport, [
        { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: 'strict', topics: [topic], sessionTimeoutMs: 6000 } },
        { id: 'store', role: 'sink', kind: collectSink(got, { as: asText }), inputs: ['in'] },
      ]),
      { log, drainTimeoutMs: 5000, shared },
    );
    await runtime.start();
    await eventually(() => errors.some((l) => l.includes('out of range')), { what: 'the source failing', timeoutMs: 60_000 });
    await runtime.stop();
    const failure = errors.find((l) => l.includes('out of range')) ?? '';
    expect(failure).toContain(`offset 1000000 of group strict is out of range for ${topic}/0`);
    expect(await committedOffset(env.transport, 'strict', topic)).toBe(1_000_000);
  }, 120_000);

  it('with offsetOutOfRange: earliest, an offset beyond the log continues from the earliest offset', async () => {
    const topic = `reset-${Date.now()}`;
    const total = 3000;
    await produce(env.transport, topic, total);
    await commitOffset(env.transport, 'lenient', topic, 1_000_000);
    const got: string[] = [];
    const runtime = await start(
      build(env.transport, [
        { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: 'lenient', topics: [topic], offsetOutOfRange: 'earliest', sessionTimeoutMs: 6000 } },
        { id: 'store', role: 'sink', kind: collectSink(got, { as: asText }), inputs: ['in'] },
      ]),
    );
    await eventually(() => seqs(got).size >= total, { what: 'every record', timeoutMs: 60_000 });
    await runtime.stop();
    expect(missing(seqs(got), total)).toEqual([]);
  }, 120_000);
});
