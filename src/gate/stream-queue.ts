import type { LogRecord } from '../streams/record.js';
import type { AckMessage } from './protocol.js';
import type { ServedStream } from './served-stream.js';

/** Someone waiting for a batch's answer: the sender, and any retry that arrived meanwhile. */
export interface Waiter {
  resolve(ack: AckMessage): void;
  reject(error: Error): void;
  duplicate: boolean;
}

/** One accepted batch, from its arrival until it is acked downstream. */
export interface PendingBatch {
  queue: StreamQueue;
  records: LogRecord[];
  bytes: number;
  /** `agent\nstream` and the batch sequence; pair is empty for a sender without an agent id. */
  pair: string;
  sequence: bigint;
  waiters: Waiter[];
}

/** Counters of one stream, shown in status() and /metrics. */
export interface StreamCounters {
  batches: number;
  records: number;
  duplicateBatches: number;
  duplicateRecords: number;
  queueFull: number;
  overQuota: number;
  unauthenticated: number;
  invalid: number;
}

/** Token bucket of a per-second quota with one second of burst; a batch above the burst passes on a full bucket. */
class Bucket {
  private tokens: number;
  private at = Date.now();

  constructor(private readonly perSec: number) {
    this.tokens = perSec;
  }

  /** Ms until `n` may be taken, or 0 after taking them. */
  take(n: number, now: number): number {
    this.tokens = Math.min(this.perSec, this.tokens + ((now - this.at) * this.perSec) / 1000);
    this.at = now;
    const needed = Math.min(n, this.perSec);
    if (this.tokens < needed) return Math.max(1, Math.ceil(((needed - this.tokens) * 1000) / this.perSec));
    this.tokens -= n;
    return 0;
  }
}

/** A stream's bounded request queue, its quota and counters. */
export class StreamQueue {
  readonly queued: PendingBatch[] = [];
  heldRecords = 0;
  heldBytes = 0;
  readonly counters: StreamCounters = { batches: 0, records: 0, duplicateBatches: 0, duplicateRecords: 0, queueFull: 0, overQuota: 0, unauthenticated: 0, invalid: 0 };
  private recordQuota: Bucket | undefined;
  private byteQuota: Bucket | undefined;

  constructor(public stream: ServedStream) {
    this.define(stream);
  }

  /** A new definition from the registry (a quota change starts a fresh bucket). */
  define(stream: ServedStream): void {
    const old = this.stream;
    this.stream = stream;
    if (this.recordQuota === undefined || old.quotaRecordsPerSec !== stream.quotaRecordsPerSec)
      this.recordQuota = stream.quotaRecordsPerSec === null ? undefined : new Bucket(stream.quotaRecordsPerSec);
    if (this.byteQuota === undefined || old.quotaBytesPerSec !== stream.quotaBytesPerSec)
      this.byteQuota = stream.quotaBytesPerSec === null ? undefined : new Bucket(stream.quotaBytesPerSec);
  }

  /** Ms the sender must wait before its quota allows `records`/`bytes`, or 0 (taken). */
  overQuota(records: number, bytes: number): number {
    const now = Date.now();
    return Math.max(this.recordQuota?.take(records, now) ?? 0, this.byteQuota?.take(bytes, now) ?? 0);
  }

  /** Whether `records`/`bytes` more fit (an empty queue takes any one batch). */
  fits(records: number, bytes: number, maxRecords: number, maxBytes: number): boolean {
    if (this.heldRecords === 0) return true;
    return this.heldRecords + records <= maxRecords && this.heldBytes + bytes <= maxBytes;
  }

  hold(batch: PendingBatch): void {
    this.queued.push(batch);
    this.heldRecords += batch.records.length;
    this.heldBytes += batch.bytes;
  }

  release(batch: PendingBatch): void {
    this.heldRecords -= batch.records.length;
    this.heldBytes -= batch.bytes;
  }
}
