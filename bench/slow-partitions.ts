/**
 * The cost of per-partition latency tracking in the kafka sink's producers: the producer pool
 * writing unkeyed 200 B records with a SlowPartitions placement (as the sink has by default) vs
 * without one, on the same broker, rounds interleaved, medians reported.
 *
 *   node --import tsx bench/slow-partitions.ts [--records 200000] [--rounds 5]
 *
 * Starts its own broker (cluster "millrace-kafka-bench" on 27092) unless MILLRACE_KAFKA_BROKERS
 * is set. Writes bench/results/slow-partitions.json.
 */
import os from 'node:os';
import { pino } from 'pino';
import { SharedResources } from '../src/core/shared-resources.js';
import { ProducerPool } from '../src/kinds/kafka/producer-pool.js';
import type { OutgoingMessage, ProducerOptions } from '../src/transport/message-log.js';
import { openMessageLog } from '../src/transport/open-message-log.js';
import { PartitionRotation } from '../src/transport/partition-rotation.js';
import { SlowPartitions } from '../src/transport/slow-partitions.js';
import { ensureKafka } from '../test/infra/kafka/broker.js';
import { isMain, median, numberArg, saveResult } from './standalone.js';

const RECORD_BYTES = 200;
const PER_WRITE = 500;

async function produce(brokers: string[], records: number, tracked: boolean): Promise<number> {
  const log = openMessageLog({ type: 'kafka', brokers, clientId: 'bench', connectionTimeoutMs: 3000, requestTimeoutMs: 30_000 }, pino({ level: 'warn' }), new SharedResources().acquire);
  const placement = tracked
    ? new SlowPartitions({ latencyRatio: 5, minLatencyMs: 1000, maxErrors: 3, errorWindowMs: 10_000, probeIntervalMs: 5000, keyedFollowRotation: false }, new PartitionRotation(0.5))
    : undefined;
  const options: ProducerOptions = { acks: -1, idempotent: true, compression: 'none', deliveryTimeoutMs: 60_000, placement };
  const producers = [log.producer(options), log.producer(options)];
  await Promise.all(producers.map((p) => p.connect()));
  const pool = new ProducerPool(producers, { sliceMs: 50, maxProducersPerQueue: 1, maxRecords: 2000, maxBytes: 512 * 1024, lingerMs: 0 });
  pool.start();
  const topic = `bench-slow-partitions-${tracked ? 'on' : 'off'}-${Date.now()}`;
  await pool.write([{ stream: 's', topic, messages: [{ value: Buffer.alloc(RECORD_BYTES, 'w') }] }]);
  const value = Buffer.alloc(RECORD_BYTES, 'x');
  const writes: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < records; i += PER_WRITE) {
    const messages: OutgoingMessage[] = Array.from({ length: Math.min(PER_WRITE, records - i) }, () => ({ value }));
    writes.push(pool.write([{ stream: 's', topic, messages }]));
  }
  await Promise.all(writes);
  const perSecond = records / ((performance.now() - t0) / 1000);
  await pool.stop();
  await Promise.all(producers.map((p) => p.disconnect()));
  return perSecond;
}

export async function runSlowPartitionsBench(options: { records?: number; rounds?: number } = {}): Promise<Record<string, unknown>> {
  const records = options.records ?? 200_000;
  const rounds = options.rounds ?? 5;
  const kafka = await ensureKafka('millrace-kafka-bench', 27092);
  const on: number[] = [];
  const off: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first, so a trend in the machine's load hits both.
      const order = r % 2 === 0 ? [false, true] : [true, false];
      for (const tracked of order) (tracked ? on : off).push(await produce(kafka.brokers, records, tracked));
    }
  } finally {
    await kafka.stop();
  }
  const result = {
    records,
    recordBytes: RECORD_BYTES,
    rounds,
    trackedRecordsPerSecond: Math.round(median(on)),
    untrackedRecordsPerSecond: Math.round(median(off)),
    ratio: Math.round((median(on) / median(off)) * 1000) / 1000,
    trackedRuns: on.map(Math.round),
    untrackedRuns: off.map(Math.round),
    loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
  };
  return result;
}

if (isMain(import.meta.url)) {
  const result = await runSlowPartitionsBench({ records: numberArg('records'), rounds: numberArg('rounds') });
  await saveResult('slow-partitions', { ...result, measuredAt: new Date().toISOString(), node: process.version }, undefined);
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
