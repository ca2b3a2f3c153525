import kafkajs, { type Kafka, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import { NotConnected, errorMessage } from '../core/errors.js';
import { registerLz4 } from './lz4-codec.js';
import type { TransportConfig } from './schema.js';

export type KafkaTransport = Extract<TransportConfig, { type: 'kafka' }>;

/** Sees every kafkajs log entry before it is logged; may throw to abort what kafkajs is doing. */
export type KafkaLogHook = (entry: LogEntry) => void;

const INITIAL_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;

/** kafkajs counts retries, not time: the retries whose backoffs (doubling, capped) add up to `timeoutMs`. */
export function retriesFor(timeoutMs: number): number {
  let retries = 0;
  let wait = INITIAL_RETRY_MS;
  for (let total = 0; total < timeoutMs; retries++) {
    total += wait;
    wait = Math.min(wait * 2, MAX_RETRY_MS);
  }
  return Math.max(1, retries);
}

/** Client options beyond the transport: how long to retry, and a log hook. */
export interface KafkaClientOptions {
  /** How long connecting and each request are retried before failing (default 5 s). */
  retryForMs?: number;
  hook?: KafkaLogHook;
}

/** Errors that mean "the cluster cannot be reached or cannot serve right now". */
const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSLockTimeout',
]);

/**
 * Whether `error` (or an error in its cause chain) is a lost connection or a retriable broker
 * condition (leader moving, coordinator loading) that outlasted kafkajs' retries.
 */
export function isConnectionError(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 8 && e instanceof Error; depth++) {
    if (CONNECTION_ERRORS.has(e.name)) return true;
    if (e.name === 'KafkaJSProtocolError' && (e as { retriable?: boolean }).retriable === true) return true;
    // kafkajs wraps with `originalError` in some paths and `cause` in others.
    e = (e as { cause?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return false;
}

/** Rethrows connection problems as {@link NotConnected} naming the brokers; other errors unchanged. */
export function asNotConnected(error: unknown, brokers: readonly string[]): unknown {
  if (error instanceof NotConnected || !isConnectionError(error)) return error;
  return new NotConnected(`kafka ${brokers.join(',')} unreachable: ${errorMessage(error)}`, { cause: error });
}

/**
 * kafkajs logs every retried broker response at ERROR; millrace reports what matters itself
 * (NotConnected, offsets out of range), so kafkajs' levels go one step down and its per-request
 * connection logs to debug.
 */
/** Fields of kafkajs log entries that pino has already (time) or that only add noise. */
const OMITTED = new Set(['message', 'timestamp', 'logger', 'stack']);

const LEVELS: Record<number, 'warn' | 'info' | 'debug'> = { 1: 'warn', 2: 'info', 4: 'debug', 5: 'debug' };

/**
 * A kafkajs client for the `kafka` transport, logging through pino. Its retries are bounded in
 * time (`retryForMs`), so an unreachable cluster surfaces as {@link NotConnected} and the actor
 * backs off instead of kafkajs retrying on its own.
 *
 * @example
 * const kafka = createKafka({ type: 'kafka', brokers: ['127.0.0.1:19092'], clientId: 'millrace', connectionTimeoutMs: 3000, requestTimeoutMs: 30000 }, log);
 */
export function createKafka(config: KafkaTransport, log: Logger, options: KafkaClientOptions = {}): Kafka {
  const hook = options.hook;
  registerLz4();
  return new kafkajs.Kafka({
    brokers: config.brokers,
    clientId: config.clientId,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    retry: { retries: retriesFor(options.retryForMs ?? 5000), initialRetryTime: INITIAL_RETRY_MS, maxRetryTime: MAX_RETRY_MS },
    logLevel: kafkajs.logLevel.WARN,
    logCreator: () => (entry) => {
      hook?.(entry);
      const { message } = entry.log;
      const extra = Object.fromEntries(Object.entries(entry.log).filter(([k]) => !OMITTED.has(k)));
      const level = entry.namespace === 'Connection' ? 'debug' : (LEVELS[entry.level] ?? 'debug');
      log[level]({ kafkajs: entry.namespace, ...extra }, `kafkajs: ${String(message)}`);
    },
  });
}
