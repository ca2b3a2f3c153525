/**
 * millrace's Kafka clients vs Kafka's own perf tools, on the same broker.
 *
 *   node --import tsx bench/kafka.ts [--records 100000] [--repeats 3] [--producers 2]
 *
 * Producer: 1 KiB records, acks=all, idempotent, no compression; millrace's producer pool
 * (kafkajs producers behind per-stream queues, as the kafka sink uses it) vs
 * org.apache.kafka.tools.ProducerPerformance (acks=all, its defaults otherwise; and again with
 * batches as large as millrace's).
 * Consumer: the same topic read from the start by a new group; millrace's KafkaLogConsumer
 * (eachBatch + hand-off buffer, committing as it goes) vs ConsumerPerformance.
 * Runs alternate between the two so load from elsewhere hits both; medians are reported.
 * Starts its own broker (cluster "millrace-kafka-bench" on 27092) unless MILLRACE_KAFKA_BROKERS
 * is set. Writes bench/results/kafka.json.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { ProducerPool } from '../src/kinds/kafka/producer-pool.js';
import type { OutgoingMessage } from '../src/transport/message-log.js';
import { openMessageLog } from '../src/transport/open-message-log.js';
import { SharedResources } from '../src/core/shared-resources.js';
import type { TransportConfig } from '../src/transport/schema.js';
import { ensureKafka, KAFKA_SH } from '../test/infra/kafka/broker.js';
import { isMain, median, numberArg, saveResult } from './standalone.js';

const run = promisify(execFile);
const MB = 1024 * 1024;
const RECORD_BYTES = 1024;

export interface KafkaBenchOptions {
  /** Records per run (default 100 000 of 1 KiB). */
  records?: number;
  /** Runs per client; the median is reported (default 3). */
  repeats?: number;
  /** Producers in millrace's pool (default 2). */
  producers?: number;
  /** Where to write JSON results; null to skip (default bench/results/kafka.json). */
  resultsPath?: string | null;
  print?: boolean;
}

export interface KafkaBenchResult {
  records: number;
  recordBytes: number;
  repeats: number;
  producers: number;
  /** MB/s (MiB of values per second), median of the runs, each run listed. */
  producer: { millrace: number; java: number; ratio: number; millraceRuns: number[]; javaRuns: number[] };
  /** ProducerPerformance with batches as large as millrace's (batch.size 256 KiB, linger.ms 10). */
  producerJavaLargeBatches: { java: number; ratio: number; javaRuns: number[] };
  consumer: { millrace: number; java: number; ratio: number; millraceRuns: number[]; javaRuns: number[] };
  loadAverage: number[];
  node: string;
  cpus: number;
  date: string;
}

/** ProducerPerformance's summary line: "N records sent, R records/sec (X MB/sec), ...". */
async function javaProduce(brokers: string[], topic: string, records: number, props: readonly string[] = []): Promise<number> {
  const { stdout } = await run(
    KAFKA_SH,
    ['perf-producer', '--topic', topic, '--num-records', String(records), '--record-size', String(RECORD_BYTES), '--throughput', '-1', '--producer-props', `bootstrap.servers=${brokers.join(',')}`, 'acks=all', ...props],
    { maxBuffer: 16 * MB },
  );
  const m = /records sent, ([\d.]+) records\/sec/.exec(stdout.trim().split('\n').pop() ?? '');
  if (m === null) throw new Error(`unexpected ProducerPerformance output: ${stdout.slice(-500)}`);
  return (Number(m[1]) * RECORD_BYTES) / MB;
}

/** ConsumerPerformance's CSV line; MB.sec covers the whole run including the group join, as ours does. */
async function javaConsume(brokers: string[], topic: string, records: number): Promise<number> {
  const { stdout } = await run(KAFKA_SH, ['perf-consumer', '--bootstrap-server', brokers.join(','), '--topic', topic, '--messages', String(records), '--timeout', '60000'], {
    maxBuffer: 16 * MB,
  });
  const fields = stdout.trim().split('\n').pop()?.split(',').map((f) => f.trim()) ?? [];
  const mbps = Number(fields[3]);
  if (!Number.isFinite(mbps) || Number(fields[4]) < records) throw new Error(`unexpected ConsumerPerformance output: ${stdout.slice(-500)}`);
  return mbps;
}

async function millraceProduce(transport: TransportConfig, topic: string, records: number, producers: number): Promise<number> {
  const log = openMessageLog(transport, pino({ level: 'warn' }), new SharedResources().acquire);
  const list = Array.from({ length: producers }, () => log.producer({ acks: -1, idempotent: true, compression: 'none', deliveryTimeoutMs: 60_000 }));
  await Promise.all(list.map((p) => p.connect()));
  const pool = new ProducerPool(list, { sliceMs: 50, maxProducersPerQueue: producers, maxRecords: 10_000, maxBytes: MB, lingerMs: 0 });
  pool.start();
  const value = Buffer.alloc(RECORD_BYTES, 'x');
  const perWrite = 1000;
  // Records are built as the sink builds them from a batch, one write per 1000-record batch, all queued.
  const writes: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < records; i += perWrite) {
    const messages: OutgoingMessage[] = Array.from({ length: Math.min(perWrite, records - i) }, () => ({ value }));
    writes.push(pool.write([{ stream: 'bench', topic, messages }]));
  }
  await Promise.all(writes);
  const seconds = (performance.now() - t0) / 1000;
  await pool.stop();
  await Promise.all(list.map((p) => p.disconnect()));
  return (records * RECORD_BYTES) / MB / seconds;
}

async function millraceConsume(transport: TransportConfig, topic: string, records: number, group: string): Promise<number> {
  const consumer = openMessageLog(transport, pino({ level: 'warn' }), new SharedResources().acquire).consumer({
    group,
    topics: [topic],
    start: 'earliest',
    offsetOutOfRange: 'fail',
    maxBufferedRecords: 20_000,
    maxBufferedBytes: 32 * MB,
    sessionTimeoutMs: 10_000,
    fetchBytesPerPartition: 128 * 1024,
    topicRefreshMs: 30_000,
  });
  const t0 = performance.now();
  await consumer.connect();
  let n = 0;
  while (n < records) {
    const batch = await consumer.next();
    n += batch.messages.length;
    const last = batch.messages[batch.messages.length - 1];
    if (last !== undefined) void consumer.commit([{ topic: batch.topic, partition: batch.partition, offset: last.offset + 1, epoch: batch.epoch }]);
  }
  const seconds = (performance.now() - t0) / 1000;
  await consumer.disconnect();
  return (n * RECORD_BYTES) / MB / seconds;
}

/** Runs the comparison; see the file comment. */
export async function runKafkaBench(opts: KafkaBenchOptions = {}): Promise<KafkaBenchResult> {
  const records = opts.records ?? 100_000;
  const repeats = opts.repeats ?? 3;
  const producers = opts.producers ?? 2;
  const kafka = await ensureKafka('millrace-kafka-bench', 27092);
  const transport: TransportConfig = { type: 'kafka', brokers: kafka.brokers, clientId: 'bench', connectionTimeoutMs: 3000, requestTimeoutMs: 30000 };
  const runs = { mp: [] as number[], jp: [] as number[], jt: [] as number[], mc: [] as number[], jc: [] as number[] };
  try {
    const stamp = Date.now();
    // Warm-up: topic creation, JIT, broker page cache.
    await javaProduce(kafka.brokers, `warm-${stamp}`, 20_000);
    await millraceProduce(transport, `warm-${stamp}`, 20_000, producers);
    for (let r = 0; r < repeats; r++) {
      const topic = `bench-${stamp}-${r}`;
      runs.jp.push(await javaProduce(kafka.brokers, `${topic}-java`, records));
      runs.jt.push(await javaProduce(kafka.brokers, `${topic}-java-large`, records, ['batch.size=262144', 'linger.ms=10']));
      runs.mp.push(await millraceProduce(transport, topic, records, producers));
      runs.jc.push(await javaConsume(kafka.brokers, topic, records));
      runs.mc.push(await millraceConsume(transport, topic, records, `bench-${stamp}-${r}`));
    }
  } finally {
    await kafka.stop();
  }
  const side = (m: number[], j: number[]) => ({ millrace: median(m), java: median(j), ratio: median(m) / median(j), millraceRuns: m, javaRuns: j });
  const result: KafkaBenchResult = {
    records,
    recordBytes: RECORD_BYTES,
    repeats,
    producers,
    producer: side(runs.mp, runs.jp),
    producerJavaLargeBatches: { java: median(runs.jt), ratio: median(runs.mp) / median(runs.jt), javaRuns: runs.jt },
    consumer: side(runs.mc, runs.jc),
    loadAverage: os.loadavg(),
    node: process.version,
    cpus: os.cpus().length,
    date: new Date().toISOString(),
  };
  if (opts.print ?? true) {
    const f = (x: number): string => x.toFixed(1).padStart(8);
    console.log(`kafka: ${records} x ${RECORD_BYTES} B records, acks=all, median of ${repeats} (MB/s)`);
    console.log('            millrace     java   ratio   (target >= 0.8)');
    console.log(`producer    ${f(result.producer.millrace)} ${f(result.producer.java)} ${f(result.producer.ratio)}`);
    console.log(`  vs java large batches  ${f(result.producerJavaLargeBatches.java)} ${f(result.producerJavaLargeBatches.ratio)}`);
    console.log(`consumer    ${f(result.consumer.millrace)} ${f(result.consumer.java)} ${f(result.consumer.ratio)}`);
    console.log(`load average ${result.loadAverage.map((l) => l.toFixed(2)).join(' ')} on ${result.cpus} cpus`);
  }
  await saveResult('kafka', result, opts.resultsPath);
  return result;
}

if (isMain(import.meta.url)) {
  const result = await runKafkaBench({ records: numberArg('records'), repeats: numberArg('repeats'), producers: numberArg('producers') });
  process.exitCode = result.producer.ratio >= 0.8 && result.consumer.ratio >= 0.8 ? 0 : 1;
}
