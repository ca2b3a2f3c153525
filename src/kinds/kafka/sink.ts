import { openMessageLog } from '../../transport/open-message-log.js';
import type { Json, LogRecord } from '../../streams/record.js';
import type { DeadRecord } from '../../actors/io.js';
import { defineSink } from '../../actors/kind.js';
import type { StreamPart } from './producer-pool.js';
import { TOPIC_NAME, toMessage } from './record-mapping.js';
import type { SharedLease } from '../../core/shared-resources.js';
import type { LagBlacklist } from '../../lag/blacklist.js';
import { acquireLagBlacklist } from './lag-blacklist-open.js';
import { acquirePool, type PoolLease } from './shared-pool.js';
import { kafkaSinkConfig, type KafkaSinkConfig } from './sink-config.js';

/** Splits a batch into one part per stream (and topic), and the records that cannot be sent. */
function partition(records: readonly LogRecord[], config: KafkaSinkConfig): { parts: StreamPart[]; dead: DeadRecord[] } {
  const parts = new Map<string, StreamPart>();
  const dead: DeadRecord[] = [];
  for (const record of records) {
    const stream = record.stream ?? config.defaultStream;
    const topic = config.topic.replaceAll('{stream}', stream);
    if (!TOPIC_NAME.test(topic)) {
      dead.push({ record, reason: `stream ${JSON.stringify(stream)} makes topic ${JSON.stringify(topic)}, which is not a valid Kafka topic name` });
      continue;
    }
    const message = toMessage(record, config.encoding, config.streamHeader);
    const size = message.value.length + (message.key?.length ?? 0);
    if (size > config.maxRecordBytes) {
      dead.push({ record, reason: `record is ${size} bytes encoded, more than maxRecordBytes ${config.maxRecordBytes}` });
      continue;
    }
    let part = parts.get(stream);
    if (part === undefined) parts.set(stream, (part = { stream, topic, messages: [] }));
    part.messages.push(message);
  }
  return { parts: [...parts.values()], dead };
}

/**
 * The `kafka` sink: a producer pool writing to a Kafka topic, or to the embedded log when the
 * topology's transport is `embedded` (same config, same behaviour).
 *
 * Delivery: at-least-once. `write` resolves only when every record of the batch is acknowledged
 * (acks=all by default, idempotent producers); a batch whose write failed (the cluster became
 * unreachable: NotConnected, the actor reconnects with backoff) is written again in full, so
 * records acknowledged before the failure can appear twice. Order: with `maxProducersPerQueue: 1`
 * each stream's records are sent in the order they arrive at the pool.
 *
 * @example
 * # topology.yaml
 * transport: { type: kafka, brokers: ["127.0.0.1:19092"] }
 * nodes:
 *   out:
 *     kind: kafka
 *     inputs: [parse]
 *     config: { topic: "logs-{stream}", compression: lz4, encoding: json }
 */
export const kafkaSinkKind = defineSink({
  name: 'kafka',
  example: { topic: 'events' },
  description: 'Writes records to Kafka topics (or the embedded log) through a pool of producers, one queue per stream.',
  config: kafkaSinkConfig,
  delivery: {
    guarantee: 'at-least-once',
    detail: 'A batch is acked once the broker has it (acks: all: every in-sync replica). With idempotent: true (the default) the broker drops the duplicates of a retried produce request, but records replayed after a crash of millrace, or of a replica, are produced again.',
  },
  create(config: KafkaSinkConfig, ctx) {
    const transport = config.cluster ?? ctx.transport;
    const log = openMessageLog(transport, ctx.log, ctx.shared);
    let blacklist: SharedLease<LagBlacklist> | undefined;
    const producerOptions = {
      acks: config.acks === 'all' ? (-1 as const) : (1 as const),
      idempotent: config.idempotent,
      compression: config.compression,
      deliveryTimeoutMs: config.deliveryTimeoutMs,
      exclusions: config.lagBlacklist && { excluded: (topic: string) => blacklist?.resource.excluded(topic) ?? new Set<number>() },
    };
    const poolOptions = { sliceMs: config.sliceMs, maxProducersPerQueue: config.maxProducersPerQueue, ...config.batch };
    let lease: PoolLease | undefined;
    return {
      async connect() {
        await lease?.release();
        lease = undefined;
        if (config.lagBlacklist !== undefined) blacklist ??= await acquireLagBlacklist(ctx, config.lagBlacklist, config.topic, transport);
        lease = await acquirePool(ctx.shared, ctx.stateDir, () => Array.from({ length: config.producers }, () => log.producer(producerOptions)), poolOptions);
      },
      async write(batch) {
        if (lease === undefined) throw new Error(`kafka sink ${ctx.id} is not connected`);
        const { parts, dead } = partition(batch.records, config);
        await lease.resource.pool.write(parts);
        return dead.length > 0 ? { dead } : undefined;
      },
      async close() {
        await lease?.release();
        lease = undefined;
        await blacklist?.release();
        blacklist = undefined;
      },
      status() {
        const queues: { [stream: string]: Json } = lease?.resource.pool.depths() ?? {};
        // degraded: a send is being retried or has waited 5 s for the brokers (broker down, leader
        // moving) but has not yet failed for deliveryTimeoutMs (then the actor backs off as NotConnected).
        const retrying = lease?.resource.pool.retrying();
        const health: { [k: string]: Json } =
          retrying === undefined ? { state: 'ok', degraded: 0 } : { state: 'degraded', degraded: 1, reason: retrying.reason, since: new Date(retrying.since).toISOString() };
        return { transport: log.kind, producers: config.producers, ...health, queues, ...(blacklist && { lagBlacklist: blacklist.resource.status() }) };
      },
    };
  },
});
