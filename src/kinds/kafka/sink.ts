import { openMessageLog } from '../../transport/open-message-log.js';
import { PartitionRotation } from '../../transport/partition-rotation.js';
import { SlowPartitions } from '../../transport/slow-partitions.js';
import type { Json, LogRecord } from '../../streams/record.js';
import type { ActorContext, DeadRecord } from '../../actors/io.js';
import type { PoolOptions, StreamPart } from './producer-pool.js';
import { toMessage } from './record-mapping.js';
import { TOPIC_NAME } from '../../core/topic-name.js';
import type { PoolProducers } from './shared-pool.js';
import { ClusterLane } from './cluster-lane.js';
import { byCluster } from './cluster-routes.js';
import { CircuitBreaker, type BreakerSettings } from '../../transport/circuit-breaker.js';
import { Failover } from '../../transport/failover.js';
import type { FailoverConfig } from './failover-config.js';
import type { MessageLog } from '../../transport/message-log.js';
import { NotConnected, errorMessage } from '../../core/errors.js';
import { defineSink } from '../../actors/kind.js';
import type { SharedLease } from '../../core/shared-resources.js';
import type { LagBlacklist } from '../../lag/blacklist.js';
import { acquireLagBlacklist } from './lag-blacklist-open.js';
import { kafkaSinkConfig, type KafkaSinkConfig } from './sink-config.js';
import { SourcePlacement } from './source-placement.js';

function topicOf(record: LogRecord, config: KafkaSinkConfig): string {
  return config.topic.replaceAll('{stream}', record.stream ?? config.defaultStream);
}

/** Splits a batch into one part per stream (and topic), and the records that cannot be sent. */
function partition(records: readonly LogRecord[], config: KafkaSinkConfig): { parts: StreamPart[]; dead: DeadRecord[] } {
  const parts = new Map<string, StreamPart>();
  const dead: DeadRecord[] = [];
  for (const record of records) {
    const stream = record.stream ?? config.defaultStream;
    const topic = topicOf(record, config);
    if (!TOPIC_NAME.test(topic)) {
      dead.push({ record, reason: `stream ${JSON.stringify(stream)} makes topic ${JSON.stringify(topic)}, which is not a valid Kafka topic name` });
      continue;
    }
    const message = toMessage(record, config.encoding, config.streamHeader, config.partition === 'source');
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

/** The rotation for status(): `partitionsExcluded` (numeric, so in /metrics) and per topic what is out and each partition's latency. */
function rotationStatus(placement: SlowPartitions | undefined): { [k: string]: Json } {
  if (placement === undefined) return {};
  const rotation = placement.rotation.view((topic) => placement.partitionsOf(topic));
  const partitionsExcluded = Object.values(rotation).reduce((n, t) => n + Object.keys(t.excluded).length, 0);
  return { partitionsExcluded, rotation, partitionLatency: placement.view() };
}

/**
 * The breaker in front of the primary cluster, one per sink actor: its replicas share it (as they
 * share the producer pool), so every replica's calls count in one window and one decision moves
 * them all. Transitions are logged once, by the breaker's opener.
 */
function acquireBreaker(settings: BreakerSettings, ctx: ActorContext): Promise<SharedLease<CircuitBreaker>> {
  return ctx.shared(
    `kafka-breaker:${ctx.stateDir}`,
    () => {
      const breaker = new CircuitBreaker(settings);
      breaker.onTransition((t) => ctx.log.warn({ actor: ctx.id, from: t.from, to: t.to, reason: t.reason }, `kafka sink ${ctx.id}: breaker ${t.from} -> ${t.to}: ${t.reason}`));
      return breaker;
    },
    () => undefined,
  );
}

/** The secondary cluster's lane and this replica's routing through the sink's shared breaker. */
async function openFailover(config: FailoverConfig, primary: ClusterLane, producersOf: (log: MessageLog) => () => PoolProducers, poolOptions: PoolOptions, ctx: ActorContext): Promise<{ failover: Failover<StreamPart>; secondary: ClusterLane; breaker: SharedLease<CircuitBreaker> }> {
  const { maxShare, callTimeoutMs, waitMs, failureRate, minCalls, openMs, halfOpenCalls, ...cluster } = config;
  const log = openMessageLog({ type: 'kafka', ...cluster }, ctx.log, ctx.shared);
  const secondary = new ClusterLane(ctx.shared, `${ctx.stateDir}#failover`, producersOf(log), poolOptions);
  const breaker = await acquireBreaker({ failureRate, minCalls, openMs, halfOpenCalls }, ctx);
  return { failover: new Failover(primary, secondary, breaker.resource, { maxShare, callTimeoutMs, waitMs }), secondary, breaker };
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
    detail: 'A batch is acked once the broker has it (acks: all: every in-sync replica). With idempotent: true (the default) the broker drops the duplicates of a retried produce request, but records replayed after a crash of millrace, or of a replica, are produced again; behind a link source, linkSequence: true skips what the destination partitions already hold (no duplicates after a receiver crash).',
  },
  async create(config: KafkaSinkConfig, ctx) {
    const transport = config.cluster ?? ctx.transport;
    const log = openMessageLog(transport, ctx.log, ctx.shared);
    let blacklist: SharedLease<LagBlacklist> | undefined;
    // The lag blacklist reads the sink's own cluster: it leaves partitions of that cluster out, not of a secondary.
    const exclusions = config.lagBlacklist && { excluded: (topic: string) => blacklist?.resource.excluded(topic) ?? new Set<number>() };
    const producerOptions = {
      acks: config.acks === 'all' ? (-1 as const) : (1 as const),
      idempotent: config.idempotent,
      compression: config.compression,
      deliveryTimeoutMs: config.deliveryTimeoutMs,
    };
    const producersOf =
      (of: MessageLog) =>
      (): PoolProducers => {
        const placement =
          of.kind === 'kafka' && config.slowPartitions.enabled
            ? new SlowPartitions({ ...config.slowPartitions, keyedFollowRotation: config.rotation.keyedFollowRotation }, new PartitionRotation(config.rotation.maxExcludedShare))
            : undefined;
        const options = { ...producerOptions, placement, ...(of === log && exclusions ? { exclusions } : {}) };
        return { producers: Array.from({ length: config.producers }, () => of.producer(options)), placement };
      };
    const poolOptions = { sliceMs: config.sliceMs, maxProducersPerQueue: config.maxProducersPerQueue, ...config.batch };
    const primary = new ClusterLane(ctx.shared, ctx.stateDir, producersOf(log), poolOptions);
    const routed = new Map(
      Object.entries(config.routes?.clusters ?? {}).map(([name, c]) => [
        name,
        new ClusterLane(ctx.shared, `${ctx.stateDir}#cluster:${name}`, producersOf(openMessageLog({ type: 'kafka', ...c }, ctx.log, ctx.shared)), poolOptions),
      ]),
    );
    const { failover, secondary, breaker } = config.failover === undefined ? {} : await openFailover(config.failover, primary, producersOf, poolOptions, ctx);
    const placement = config.partition === 'source' ? new SourcePlacement(log.admin(), ctx.id, config.linkSequence, ctx.log) : undefined;
    return {
      writesInFlight: placement === undefined ? config.writesInFlight : 1,
      async connect() {
        placement?.reset();
        if (config.lagBlacklist !== undefined) blacklist ??= await acquireLagBlacklist(ctx, config.lagBlacklist, config.topic, transport);
        if (failover === undefined) {
          await primary.open();
          return;
        }
        // With a secondary cluster, a primary that cannot be reached opens the breaker instead of failing the sink.
        await primary.open().catch((error: unknown) => {
          if (!(error instanceof NotConnected)) throw error;
          failover.breaker.trip(`primary cluster unreachable at connect: ${errorMessage(error)}`);
        });
      },
      async write(batch) {
        const placed = placement && (await placement.place(batch, (r) => topicOf(r, config)));
        const records = placed?.records ?? batch.records;
        const clusters = config.routes === undefined ? { own: records, others: new Map<string, LogRecord[]>(), dead: [] } : byCluster(records, config.routes);
        const { parts, dead } = partition(clusters.own, config);
        const writes = [failover === undefined ? primary.write(parts) : failover.write(parts, clusters.own.length - dead.length)];
        for (const [name, routedRecords] of clusters.others) {
          const other = partition(routedRecords, config);
          dead.push(...other.dead);
          writes.push(routed.get(name)!.write(other.parts));
        }
        await Promise.all(writes);
        dead.push(...clusters.dead);
        if (placed !== undefined) {
          dead.push(...placed.dead);
          placement?.written(placed);
        }
        return dead.length > 0 ? { dead } : undefined;
      },
      async close() {
        failover?.close();
        await Promise.all([primary.close(), secondary?.close(), breaker?.release(), ...[...routed.values()].map((lane) => lane.close())]);
        await blacklist?.release();
        blacklist = undefined;
        await placement?.close();
      },
      status() {
        const lease = primary.current;
        const queues: { [stream: string]: Json } = lease?.resource.pool.depths() ?? {};
        // degraded: a send is being retried or has waited 5 s for the brokers (broker down, leader
        // moving) but has not yet failed for deliveryTimeoutMs (then the actor backs off as NotConnected).
        const retrying = lease?.resource.pool.retrying();
        const health: { [k: string]: Json } =
          retrying === undefined ? { state: 'ok', degraded: 0 } : { state: 'degraded', degraded: 1, reason: retrying.reason, since: new Date(retrying.since).toISOString() };
        return { transport: log.kind, producers: config.producers, ...health, ...(placement && { skippedAsWritten: placement.skipped }), ...rotationStatus(lease?.resource.placement), ...failover?.status(), queues, ...(blacklist && { lagBlacklist: blacklist.resource.status() }) };
      },
    };
  },
});
