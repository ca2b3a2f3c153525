/**
 * The parts of kafkajs (2.2.x, pinned) that the wire producer runs on: its cluster (connections,
 * metadata, broker lookup), its idempotence bookkeeping (producer id, epoch, sequences), its retry
 * loop and its Produce response decoders. kafkajs exports none of these, so they are reached here,
 * in one place, with the types millrace relies on; a kafkajs upgrade that moves them fails loudly
 * at the first producer, not silently.
 */
import { createRequire } from 'node:module';
import type { Kafka, KafkaMessage, Logger as KafkaLogger } from 'kafkajs';

const require = createRequire(import.meta.url);

export interface PartitionMetadata {
  partitionId: number;
  leader: number;
}

export interface WireEncoder {
  buf: Buffer;
  readonly buffer: Buffer;
}

/** A request as kafkajs' connection sends it. */
export interface ProtocolRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  expectResponse: () => boolean;
  encode: () => Promise<WireEncoder>;
}

export interface ProduceResponseData {
  topics: { topicName: string; partitions: { partition: number; errorCode: number }[] }[];
}

export interface ResponseCodec {
  decode(raw: Buffer): Promise<ProduceResponseData>;
  parse(data: ProduceResponseData): Promise<ProduceResponseData>;
}

/** What kafkajs' `lookupRequest` negotiates a version for. */
export interface RequestDefinition<A> {
  versions: string[];
  protocol: (v: { version: number }) => (args: A) => { request: ProtocolRequest; response: ResponseCodec };
}

export interface Broker {
  nodeId: number;
  /** The partitions' latest offsets (timestamp -1) from their leader; used as a probe that carries no records. */
  listOffsets(args: { replicaId: number; isolationLevel: number; topics: { topic: string; partitions: { partition: number; timestamp: number }[] }[] }): Promise<unknown>;
  /** Records of the given partitions from their fetch offsets (a whole batch: it may begin before the offset). */
  fetch(args: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: { partition: number; errorCode: number; messages: KafkaMessage[] }[] }[] }>;
  lookupRequest<A>(apiKey: number, definition: RequestDefinition<A>): (args: A) => { request: ProtocolRequest; response: ResponseCodec };
}

export interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findTopicPartitionMetadata(topic: string): PartitionMetadata[];
  findBroker(args: { nodeId: string | number }): Promise<Broker>;
  removeBroker(args: { host: string; port: number }): void;
}

export interface EosManager {
  initProducerId(): Promise<void>;
  isInitialized(): boolean;
  getProducerId(): number | string | { toString(): string };
  getProducerEpoch(): number;
  getSequence(topic: string, partition: number): number;
  updateSequence(topic: string, partition: number, increment: number): void;
}

export type Retrier = <T>(fn: (bail: (e: unknown) => void, retryCount: number, retryTime: number) => Promise<T>) => Promise<T>;

export interface RetryOptions {
  retries: number;
  initialRetryTime: number;
  maxRetryTime: number;
}

function privateMember<T>(owner: object, description: string): T {
  const holders = [owner, Object.getPrototypeOf(owner) as object];
  for (const holder of holders) {
    const symbol = Object.getOwnPropertySymbols(holder).find((s) => s.description === description);
    if (symbol !== undefined) return (holder as Record<symbol, T>)[symbol] as T;
  }
  throw new Error(`kafkajs internals changed: ${description} not found (millrace's wire producer needs kafkajs 2.2)`);
}

type CreateCluster = (options: { metadataMaxAge?: number; allowAutoTopicCreation?: boolean; maxInFlightRequests?: number | null }) => Cluster;

/** A cluster of `kafka`'s configuration (brokers, timeouts, retries, logger), as its producers get. */
export function createCluster(kafka: Kafka, options: { allowAutoTopicCreation: boolean; maxInFlightRequests: number | null }): Cluster {
  const create = privateMember<CreateCluster>(kafka, 'private:Kafka:createCluster');
  return create.call(kafka, { metadataMaxAge: 300_000, ...options });
}

type CreateEosManager = (options: { logger: KafkaLogger; cluster: Cluster; transactional: boolean }) => EosManager;

/** kafkajs' idempotence bookkeeping for a non-transactional producer on `cluster`. */
export function createEosManager(logger: KafkaLogger, cluster: Cluster): EosManager {
  const create = require('kafkajs/src/producer/eosManager/index.js') as CreateEosManager;
  return create({ logger, cluster, transactional: false });
}

/** kafkajs' retry loop (exponential backoff with jitter, bounded by `retries`). */
export function createRetrier(options: RetryOptions): Retrier {
  const create = require('kafkajs/src/retry/index.js') as (o: RetryOptions) => Retrier;
  return create(options);
}

/** kafkajs' Produce response codec of `version` (3 to 7 share the request layout). */
export function produceResponse(version: number): ResponseCodec {
  return require(`kafkajs/src/protocol/requests/produce/v${version}/response.js`) as ResponseCodec;
}

/** Sends `request` the way kafkajs' own broker methods do (connection pool; closes a dead connection). */
export async function sendRequest(broker: Broker, request: { request: ProtocolRequest; response: ResponseCodec }): Promise<ProduceResponseData> {
  const send = privateMember<(r: typeof request) => Promise<ProduceResponseData>>(broker, 'private:Broker:sendRequest');
  return send.call(broker, request);
}

/** A record batch codec as kafkajs registers it (LZ4: lz4-codec.ts). */
export interface BatchCodec {
  decompress(compressed: Buffer): Promise<Buffer>;
}

let lookupCodec: ((attributes: number) => BatchCodec | null) | undefined;

/** The codec of a record batch's attributes, as kafkajs looks it up; null for uncompressed. */
export function codecOfAttributes(attributes: number): BatchCodec | null {
  lookupCodec ??= (require('kafkajs/src/protocol/message/compression/index.js') as { lookupCodecByAttributes(a: number): BatchCodec | null }).lookupCodecByAttributes;
  return lookupCodec(attributes);
}

type FetchDecode = (raw: Buffer) => Promise<unknown>;
let fetchDecoderInstalled = false;

/**
 * Has kafkajs decode Fetch v11 responses (the version it uses with Kafka 0.11 and later) with
 * `decode`, falling back to its own decoder where `decode` gives undefined. Once per process: the
 * codec is kafkajs' module, shared by every consumer; `decode` must give what kafkajs' does.
 */
export function installFetchDecoder(decode: FetchDecode): void {
  if (fetchDecoderInstalled) return;
  const codec = require('kafkajs/src/protocol/requests/fetch/v11/response.js') as { decode: FetchDecode };
  const own = codec.decode;
  if (typeof own !== 'function') throw new Error('kafkajs internals changed: the Fetch v11 response decoder not found (millrace needs kafkajs 2.2)');
  codec.decode = async (raw) => (await decode(raw)) ?? own(raw);
  fetchDecoderInstalled = true;
}
