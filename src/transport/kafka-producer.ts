import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import kafkajs, { type Kafka, type Logger as KafkaLogger } from 'kafkajs';
import { compressFrame } from 'lz4-napi';
import { asNotConnected, retriesFor } from './kafka-client.js';
import { ByteWriter } from './kafka-wire/byte-writer.js';
import { createCluster, createEosManager, createRetrier, type Cluster, type EosManager, type Retrier } from './kafka-wire/kafkajs-internals.js';
import { groupByPartition, type PartitionGroups } from './kafka-wire/partitioning.js';
import { sendProduce, writeProduceRequest, type BatchSettings } from './kafka-wire/produce-request.js';
import { CODEC, type Compress } from './kafka-wire/record-batch.js';
import type { LogProducer, OutgoingMessage, ProducerOptions } from './message-log.js';

const COMPRESSORS: Record<ProducerOptions['compression'], Compress | undefined> = {
  none: undefined,
  gzip: promisify(gzip) as Compress,
  // Kafka's LZ4 codec is the LZ4 frame format (see lz4-codec.ts).
  lz4: (records) => compressFrame(records),
};

const PRODUCE_TIMEOUT_MS = 30_000;
/**
 * A try of a send still waiting after this long counts as degraded: kafkajs reconnects to a lost
 * broker inside the try (with the client's retry budget, up to deliveryTimeoutMs), so no try fails
 * while a broker is down.
 */
const STALLED_MS = 5000;

/**
 * A Kafka producer that encodes record batches itself (kafka-wire/: one reused buffer per
 * request, no per-record objects) and sends them through kafkajs' cluster: kafkajs keeps the
 * connections, metadata, version negotiation, idempotence bookkeeping and retry loop.
 *
 * Partitions: keyed records go where the Java client puts them (murmur2); the unkeyed records of a
 * send go to one partition, rotating from send to send (sticky), so a send is one batch.
 *
 * Idempotence: sequence numbers are taken per request and given back when it fails, so an
 * idempotent producer must have one request in flight; callers run one `send` at a time per
 * producer (the sink's pool runs several producers instead). Retries are bounded so that a
 * cluster that stays unreachable surfaces as NotConnected after about `deliveryTimeoutMs`; the
 * caller creates the client with the same budget for reconnecting. Partitions a broker has
 * acknowledged are not sent again when the rest of a send is retried. A batch retried after
 * NotConnected may be written twice (at-least-once).
 */
export class KafkaLogProducer implements LogProducer {
  private readonly cluster: Cluster;
  private readonly eos: EosManager;
  private readonly retrier: Retrier;
  private readonly logger: KafkaLogger;
  /** One request buffer per broker of a send (requests to brokers go out together), and a compression scratch. */
  private readonly writers: ByteWriter[] = [];
  private readonly scratch = new ByteWriter();
  private readonly sticky = new Map<string, number>();
  private trouble: { since: number; reason: string } | undefined;
  /** When the current try of a send began. */
  private trying: number | undefined;

  constructor(
    kafka: Kafka,
    private readonly options: ProducerOptions,
    private readonly brokers: readonly string[],
  ) {
    this.cluster = createCluster(kafka, { allowAutoTopicCreation: true, maxInFlightRequests: options.idempotent ? 1 : null });
    this.logger = kafka.logger().namespace('Producer');
    this.eos = createEosManager(this.logger, this.cluster);
    this.retrier = createRetrier({ retries: retriesFor(options.deliveryTimeoutMs), initialRetryTime: 100, maxRetryTime: 2000 });
  }

  async connect(): Promise<void> {
    try {
      await this.cluster.connect();
      if (this.options.idempotent && !this.eos.isInitialized()) await this.eos.initProducerId();
    } catch (error) {
      throw asNotConnected(error, this.brokers);
    }
  }

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const state: SendState = { groups: undefined, done: new Set() };
    try {
      await this.retrier(async (bail, retryCount, retryTime) => {
        this.trying = Date.now();
        try {
          await this.attempt(topic, messages, state);
        } catch (e) {
          this.trouble ??= { since: Date.now(), reason: String((e as { message?: unknown }).message ?? e) };
          await this.recover(e, bail, retryCount, retryTime);
        }
      });
    } catch (error) {
      throw asNotConnected(error, this.brokers);
    } finally {
      this.trouble = undefined;
      this.trying = undefined;
    }
  }

  retrying(): { since: number; reason: string } | undefined {
    if (this.trouble !== undefined) return this.trouble;
    const since = this.trying;
    if (since === undefined || Date.now() - since < STALLED_MS) return undefined;
    return { since, reason: `no answer from the brokers for ${Math.round((Date.now() - since) / 1000)} s (reconnecting or waiting for the produce response)` };
  }

  async disconnect(): Promise<void> {
    await this.cluster.disconnect();
  }

  /** One try: the partitions not yet acknowledged, one request per leader, sent together. */
  private async attempt(topic: string, messages: readonly OutgoingMessage[], state: SendState): Promise<void> {
    await this.cluster.addMultipleTargetTopics([topic]);
    await this.cluster.refreshMetadataIfNecessary();
    const metadata = this.cluster.findTopicPartitionMetadata(topic);
    if (metadata.length === 0) throw Object.assign(new kafkajs.KafkaJSMetadataNotLoaded(), { message: `no metadata for topic ${topic}` });
    const leaders = new Map<number, number>();
    for (const p of metadata) leaders.set(p.partitionId, p.leader);
    // Records keep the partitions of the first try: acknowledged partitions must not change content.
    const groups = (state.groups ??= groupByPartition(messages, metadata.length, this.stickyPartition(topic, metadata)));
    const byLeader = new Map<number, number[]>();
    for (let p = 0; p < metadata.length; p++) {
      if (groups.starts[p + 1]! === groups.starts[p]! || state.done.has(p)) continue;
      const leader = leaders.get(p) ?? -1;
      const list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, [p]);
      else list.push(p);
    }
    const settings = this.settings(topic);
    const requests: { broker: Awaited<ReturnType<Cluster['findBroker']>>; partitions: number[]; body: Buffer }[] = [];
    let i = 0;
    for (const [nodeId, partitions] of byLeader) {
      const broker = await this.cluster.findBroker({ nodeId });
      const w = (this.writers[i++] ??= new ByteWriter());
      await writeProduceRequest(w, this.scratch, topic, messages, groups, partitions, settings);
      this.takeSequences(topic, partitions, groups, 1);
      requests.push({ broker, partitions, body: w.view() });
    }
    const outcomes = await Promise.allSettled(requests.map((r) => sendProduce(r.broker, r.body)));
    let firstError: unknown;
    outcomes.forEach((outcome, k) => {
      const request = requests[k]!;
      if (outcome.status === 'rejected') {
        this.takeSequences(topic, request.partitions, groups, -1);
        firstError ??= outcome.reason;
        return;
      }
      for (const p of outcome.value.acked) state.done.add(p);
      this.takeSequences(topic, outcome.value.failed, groups, -1);
      if (outcome.value.failed.length > 0) firstError ??= outcome.value.error;
    });
    if (firstError !== undefined) throw firstError;
  }

  /** What kafkajs' producer does with a failed try: reconnect, refresh metadata, retry or give up. */
  private async recover(e: unknown, bail: (e: unknown) => void, retryCount: number, retryTime: number): Promise<void> {
    const err = e as { name?: string; message?: string; retriable?: boolean; host?: string; port?: number };
    if (err.name === 'KafkaJSConnectionClosedError' && err.host !== undefined && err.port !== undefined) this.cluster.removeBroker({ host: err.host, port: err.port });
    if (!this.cluster.isConnected()) {
      this.logger.debug(`Cluster has disconnected, reconnecting: ${String(err.message)}`, { retryCount, retryTime });
      await this.cluster.connect();
      await this.cluster.refreshMetadata();
      throw e;
    }
    const refresh = ['KafkaJSMetadataNotLoaded', 'KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSBrokerNotFound'].includes(err.name ?? '') || (err.name === 'KafkaJSProtocolError' && err.retriable === true);
    if (refresh) {
      this.logger.error(`Failed to send messages: ${String(err.message)}`, { retryCount, retryTime });
      await this.cluster.refreshMetadata();
      throw e;
    }
    this.logger.error(String(err.message), { retryCount, retryTime });
    if (err.retriable === true) throw e;
    bail(e);
  }

  private settings(topic: string): BatchSettings {
    const idempotent = this.eos.isInitialized();
    return {
      acks: this.options.acks,
      timeoutMs: PRODUCE_TIMEOUT_MS,
      codec: CODEC[this.options.compression],
      compress: COMPRESSORS[this.options.compression],
      producerId: idempotent ? BigInt(String(this.eos.getProducerId())) : -1n,
      producerEpoch: idempotent ? this.eos.getProducerEpoch() : -1,
      sequenceOf: (p) => (idempotent ? this.eos.getSequence(topic, p) : -1),
    };
  }

  /** Advances (sign 1) or gives back (sign -1) the sequences of `partitions` by their record counts. */
  private takeSequences(topic: string, partitions: readonly number[], groups: PartitionGroups, sign: 1 | -1): void {
    if (!this.eos.isInitialized()) return;
    for (const p of partitions) this.eos.updateSequence(topic, p, sign * (groups.starts[p + 1]! - groups.starts[p]!));
  }

  /** The partition for this send's unkeyed records: the next one with a leader and not excluded, round-robin per topic. */
  private stickyPartition(topic: string, metadata: readonly { partitionId: number; leader: number }[]): number {
    const counter = (this.sticky.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1;
    this.sticky.set(topic, counter);
    const excluded = this.options.exclusions?.excluded(topic);
    const available = metadata.filter((p) => p.leader >= 0 && excluded?.has(p.partitionId) !== true);
    const pool = available.length > 0 ? available : metadata;
    return pool[counter % pool.length]!.partitionId;
  }
}

interface SendState {
  groups: PartitionGroups | undefined;
  /** Partitions acknowledged by an earlier try of the send. */
  done: Set<number>;
}
