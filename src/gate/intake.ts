import { textOrBytes, type TextOrBytes } from '../core/text-or-bytes.js';
import { tokenMatches } from '../core/token-hash.js';
import { Wake } from '../core/wake.js';
import type { Json, LogRecord } from '../streams/record.js';
import type { AckMessage, TransportRecord } from './protocol.js';
import type { SequenceWindow } from './sequence-window.js';
import type { ServedStream } from './served-stream.js';
import { StreamQueue, type PendingBatch, type StreamCounters } from './stream-queue.js';

/** Why a batch is refused; each maps to one gRPC status and one HTTP status. */
export type RefusalKind = 'not-found' | 'unauthenticated' | 'invalid-argument' | 'exhausted' | 'unavailable';

export class Refusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** A batch as either endpoint received it. */
export interface Submission {
  streamId: string;
  token: string;
  /** Empty: no agent, the batch is never recognised as a retry. */
  agentId: string;
  sequence: bigint;
  /** Reads the records, once the stream and token are known good; throws a Refusal when it cannot. */
  records(): readonly TransportRecord[];
}

/** The gateway's bounds (the gateway kind's settings of the same names). */
export interface IntakeLimits {
  queue: { maxRecords: number; maxBytes: number };
  maxBatchRecords: number;
  maxBatchBytes: number;
  retryAfterMs: number;
  readRecords: number;
  /** Header that carries each record's stream cluster downstream; absent: none. */
  clusterHeader?: string;
  sliceMs: number;
}

/** What one read hands downstream: whole batches of one stream, up to `position`. */
export interface IntakeRead {
  records: LogRecord[];
  position: number;
  stream: string;
}

function toLogRecord(r: TransportRecord, stream: ServedStream, now: number, clusterHeader: string | undefined): LogRecord {
  const record: LogRecord = { value: r.value, ts: r.timestampMs ?? now, stream: stream.topic };
  if (r.key !== undefined) record.key = textOrBytes(r.key);
  if (r.headers !== undefined || clusterHeader !== undefined) {
    const headers: Record<string, TextOrBytes> = {};
    for (const [name, value] of Object.entries(r.headers ?? {})) headers[name] = textOrBytes(value);
    if (clusterHeader !== undefined) headers[clusterHeader] = stream.cluster;
    record.headers = headers;
  }
  return record;
}

/**
 * The gateway's core, shared by its gRPC and HTTP endpoints: checks a batch against the
 * registry, its quota and its stream's bounded queue, queues it, hands queued batches downstream
 * round-robin between streams in time slices, and answers each batch once downstream acked it.
 */
export class Intake {
  private readonly queues = new Map<string, StreamQueue>();
  private readonly active = new Map<string, ServedStream>();
  /** Read, not yet acked downstream: ticket -> batch, in ticket order. */
  private readonly inFlight = new Map<number, PendingBatch>();
  /** Queued or in flight, by `pair\nsequence`, so a retry waits for the first copy. */
  private readonly bySequence = new Map<string, PendingBatch>();
  private readonly arrived = new Wake();
  private ticket = 0;
  private turn = 0;
  private sliceStream: string | undefined;
  private sliceEnds = 0;
  private closed: string | undefined;
  readonly refused: Record<RefusalKind, number> = { 'not-found': 0, unauthenticated: 0, 'invalid-argument': 0, exhausted: 0, unavailable: 0 };

  constructor(
    private readonly limits: IntakeLimits,
    readonly window: SequenceWindow,
  ) {}

  /** The registry's streams: active ones are served from now on, the others refused. */
  setStreams(streams: readonly ServedStream[]): void {
    this.active.clear();
    for (const s of streams) {
      if (s.state !== 'active') continue;
      this.active.set(s.id, s);
      const queue = this.queues.get(s.id);
      if (queue === undefined) this.queues.set(s.id, new StreamQueue(s));
      else queue.define(s);
    }
  }

  /** Queues a batch; resolves with its answer once downstream acked it. */
  submit(batch: Submission): Promise<AckMessage> {
    try {
      return this.accept(batch);
    } catch (error) {
      if (error instanceof Refusal) this.refused[error.kind] += 1;
      return Promise.reject(error);
    }
  }

  /** Counts a refusal made before a batch could be read (undecodable bytes); returns it. */
  counted(refusal: Refusal): Refusal {
    this.refused[refusal.kind] += 1;
    return refusal;
  }

  private accept(batch: Submission): Promise<AckMessage> {
    if (this.closed !== undefined) throw new Refusal('unavailable', this.closed);
    const stream = this.active.get(batch.streamId);
    const queue = this.queues.get(batch.streamId);
    if (stream === undefined || queue === undefined)
      throw new Refusal('not-found', queue === undefined ? `unknown stream ${JSON.stringify(batch.streamId)}: register it (millrace streams add)` : `stream ${batch.streamId} is disabled or removed`);
    if (!tokenMatches(batch.token, stream.tokenSha256)) {
      queue.counters.unauthenticated += 1;
      throw new Refusal('unauthenticated', `wrong or missing token for stream ${batch.streamId}`);
    }
    let records: readonly TransportRecord[];
    try {
      records = batch.records();
    } catch (error) {
      if (error instanceof Refusal) queue.counters.invalid += 1;
      throw error;
    }
    let bytes = 0;
    for (const r of records) bytes += r.value.byteLength + (r.key?.byteLength ?? 0);
    const problem =
      records.length === 0
        ? 'batch holds no records'
        : records.length > this.limits.maxBatchRecords
          ? `batch holds ${records.length} records, more than maxBatchRecords ${this.limits.maxBatchRecords}`
          : bytes > this.limits.maxBatchBytes
            ? `batch holds ${bytes} bytes of records, more than maxBatchBytes ${this.limits.maxBatchBytes}`
            : undefined;
    if (problem !== undefined) {
      queue.counters.invalid += 1;
      throw new Refusal('invalid-argument', `${problem} (stream ${batch.streamId})`);
    }
    const pair = batch.agentId === '' ? '' : `${batch.agentId}\n${batch.streamId}`;
    const retry = pair === '' ? undefined : this.retryOf(queue, pair, batch.sequence, records.length);
    if (retry !== undefined) return retry;
    const wait = queue.overQuota(records.length, bytes);
    if (wait > 0) {
      queue.counters.overQuota += 1;
      throw new Refusal('exhausted', `stream ${batch.streamId} is over its quota: retry after ${wait} ms`, wait);
    }
    if (!queue.fits(records.length, bytes, this.limits.queue.maxRecords, this.limits.queue.maxBytes)) {
      queue.counters.queueFull += 1;
      throw new Refusal('exhausted', `the queue of stream ${batch.streamId} is full: retry after ${this.limits.retryAfterMs} ms`, this.limits.retryAfterMs);
    }
    const now = Date.now();
    return new Promise<AckMessage>((resolve, reject) => {
      const pending: PendingBatch = {
        queue,
        records: records.map((r) => toLogRecord(r, stream, now, this.limits.clusterHeader)),
        bytes,
        pair,
        sequence: batch.sequence,
        waiters: [{ resolve, reject, duplicate: false }],
      };
      queue.hold(pending);
      if (pair !== '') this.bySequence.set(`${pair}\n${batch.sequence}`, pending);
      this.arrived.notify();
    });
  }

  get serving(): boolean {
    return this.closed === undefined;
  }

  /** The answer to a batch already stored or on its way, or undefined for a new batch. */
  private retryOf(queue: StreamQueue, pair: string, sequence: bigint, count: number): Promise<AckMessage> | undefined {
    if (this.window.has(pair, sequence)) {
      queue.counters.duplicateBatches += 1;
      queue.counters.duplicateRecords += count;
      return Promise.resolve({ sequence: String(sequence), stored: 0, duplicates: count });
    }
    const first = this.bySequence.get(`${pair}\n${sequence}`);
    if (first === undefined) return undefined;
    return new Promise((resolve, reject) => first.waiters.push({ resolve, reject, duplicate: true }));
  }

  /** The next batches downstream: waits up to `ms` for one, else undefined. */
  async read(ms: number): Promise<IntakeRead | undefined> {
    let queue = this.nextQueue();
    if (queue === undefined) {
      await this.arrived.wait(ms);
      queue = this.nextQueue();
      if (queue === undefined) return undefined;
    }
    const records: LogRecord[] = [];
    do {
      const batch = queue.queued.shift() as PendingBatch;
      records.push(...batch.records);
      this.inFlight.set(++this.ticket, batch);
    } while (queue.queued.length > 0 && records.length + (queue.queued[0]?.records.length ?? 0) <= this.limits.readRecords);
    return { records, position: this.ticket, stream: queue.stream.id };
  }

  /** The stream whose batches go next: the current one until its slice ends, then the next non-empty one. */
  private nextQueue(): StreamQueue | undefined {
    const now = Date.now();
    if (this.sliceStream !== undefined && now < this.sliceEnds) {
      const current = this.queues.get(this.sliceStream);
      if (current !== undefined && current.queued.length > 0) return current;
    }
    const all = [...this.queues.values()];
    for (let i = 0; i < all.length; i++) {
      const queue = all[(this.turn + i) % all.length] as StreamQueue;
      if (queue.queued.length === 0) continue;
      this.turn = (this.turn + i + 1) % all.length;
      this.sliceStream = queue.stream.id;
      this.sliceEnds = now + this.limits.sliceMs;
      return queue;
    }
    return undefined;
  }

  /** The batches read and not yet answered with tickets in `(after, position]`, by stream id: what a commit to `position` stores. */
  storedBetween(after: number, position: number): { stream: string; records: LogRecord[] }[] {
    const out: { stream: string; records: LogRecord[] }[] = [];
    for (const [ticket, batch] of this.inFlight) {
      if (ticket > position) break;
      if (ticket > after) out.push({ stream: batch.queue.stream.id, records: batch.records });
    }
    return out;
  }

  /** Downstream acked every record up to `position`: answers those batches. */
  commit(position: number): void {
    for (const [ticket, batch] of this.inFlight) {
      if (ticket > position) break;
      this.inFlight.delete(ticket);
      batch.queue.release(batch);
      if (batch.pair !== '') {
        this.bySequence.delete(`${batch.pair}\n${batch.sequence}`);
        this.window.stored(batch.pair, batch.sequence);
      }
      const counters = batch.queue.counters;
      const n = batch.records.length;
      for (const w of batch.waiters) {
        if (w.duplicate) {
          counters.duplicateBatches += 1;
          counters.duplicateRecords += n;
          w.resolve({ sequence: String(batch.sequence), stored: 0, duplicates: n });
        } else {
          counters.batches += 1;
          counters.records += n;
          w.resolve({ sequence: String(batch.sequence), stored: n, duplicates: 0 });
        }
      }
    }
  }

  /** Refuses everything from now on and fails every unanswered batch with UNAVAILABLE (the sender retries). */
  close(reason: string): void {
    this.closed = reason;
    const unanswered = [...this.inFlight.values(), ...[...this.queues.values()].flatMap((q) => q.queued.splice(0))];
    this.inFlight.clear();
    this.bySequence.clear();
    for (const batch of unanswered) {
      batch.queue.release(batch);
      for (const w of batch.waiters) w.reject(new Refusal('unavailable', reason));
    }
  }

  /** Totals, refusals by kind, and `<stream>.<counter>` per stream (numbers, for /metrics). */
  status(): Record<string, Json> {
    const out: Record<string, Json> = { streams: this.active.size, inFlightBatches: this.inFlight.size, rememberedAgents: this.window.size };
    for (const [kind, n] of Object.entries(this.refused)) out[`refused.${kind}`] = n;
    for (const [id, queue] of this.queues) {
      out[`${id}.queuedRecords`] = queue.heldRecords;
      out[`${id}.queuedBytes`] = queue.heldBytes;
      for (const [name, n] of Object.entries(queue.counters) as [keyof StreamCounters, number][]) out[`${id}.${name}`] = n;
    }
    return out;
  }
}
