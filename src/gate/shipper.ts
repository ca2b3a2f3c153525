import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { encodeRecords, type AckMessage, type TransportRecord } from './protocol.js';
import { Wake } from '../core/wake.js';
import { retryDelay } from './backoff.js';
import { GatewayPool, isPermanent, SendFailed } from './gateway-pool.js';
import type { QueuedBatch, SpilledBatch, SpillQueue } from './spill-queue.js';
import { TokenBucket, type Rate } from './token-bucket.js';

/** How a {@link Shipper} sends: the agent sink's settings. */
export interface ShipperOptions {
  token: string;
  streams: Record<string, { token?: string | undefined; rate?: Rate | undefined }>;
  rate?: Rate | undefined;
  timeoutMs: number;
  backoff: { initialMs: number; maxMs: number };
  /** Queued batches read ahead while replaying. */
  replayInFlight: number;
  /** Most records and value bytes in one batch (writes waiting for their stream are merged up to these). */
  maxBatchRecords: number;
  maxBatchBytes: number;
}

/** One write's records for one stream, waiting for its batch to be acked or spilled. */
interface LaneWrite {
  records: TransportRecord[];
  bytes: number;
  resolve(): void;
  reject(error: unknown): void;
}

/** A stream's writes not yet sent, and the loop sending them (present while there are any). */
interface Lane {
  waiting: LaneWrite[];
  run: Promise<void>;
}

/** The gateway refused a batch for good (bad token, unknown stream, malformed): its records are dead-lettered with this reason. */
export class BatchRejected extends Error {}

/** Counters shown by status() and /metrics. */
export interface ShipperStats {
  sentBatches: number;
  ackedBatches: number;
  ackedRecords: number;
  retried: number;
  duplicates: number;
  spilledBatches: number;
  spilledRecords: number;
  replayedBatches: number;
  rejectedRecords: number;
}

/**
 * Ships one agent sink's batches, per stream in order. A batch goes straight to the gateway when
 * its stream has nothing spilled, its token bucket allows it and the gateway acks it; otherwise
 * (gateway unreachable, pushback, failure, over rate) it goes to the spill queue, from which
 * {@link replay} sends it later, in order per stream, with backoff. Without a spill queue a batch
 * is retried in place until acked. Sequence numbers are fixed when a batch is made, so a retried
 * or replayed batch keeps its number.
 */
export class Shipper {
  readonly stats: ShipperStats = { sentBatches: 0, ackedBatches: 0, ackedRecords: 0, retried: 0, duplicates: 0, spilledBatches: 0, spilledRecords: 0, replayedBatches: 0, rejectedRecords: 0 };
  private readonly sequences = new Map<string, bigint>();
  private readonly buckets = new Map<string, TokenBucket | null>();
  private readonly lanes = new Map<string, Lane>();
  /** Per stream, offsets of its spilled batches not acknowledged yet. */
  private readonly spilled = new Map<string, Set<number>>();
  /** Batches queued before this start: until replayed, every stream counts as having spilled batches. */
  private readonly restoredUntil: number;
  private readonly replayLanes = new Map<string, QueuedBatch[]>();
  private replayInFlight = 0;
  private readonly wake = new Wake();
  private readonly stopping = new AbortController();
  /** Ends a write that waits (for the gateway, or for room in the queue): the sink actor stops, or the shipper does. */
  private readonly writesEnd: AbortSignal;
  private replaying: Promise<void> | undefined;
  private readonly replayRuns = new Set<Promise<void>>();

  constructor(
    private readonly config: ShipperOptions,
    readonly pool: GatewayPool,
    readonly queue: SpillQueue | undefined,
    readonly agentId: string,
    private readonly log: Logger,
    actorSignal: AbortSignal,
  ) {
    this.restoredUntil = queue?.end ?? 0;
    // Made once: on Node 20 an AbortSignal.any over long-lived signals per batch slows every scavenge (either-signal.ts).
    this.writesEnd = AbortSignal.any([actorSignal, this.stopping.signal]);
  }

  start(): void {
    this.pool.start();
    if (this.queue !== undefined) this.replaying = this.replay(this.queue);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake.notify();
    await this.replaying;
    await Promise.allSettled([...[...this.lanes.values()].map((l) => l.run), ...this.replayRuns]);
    this.pool.close();
  }

  /** Resolves once the gateway acked the records or they are durable in the spill queue; rejects with {@link BatchRejected}. */
  deliver(streamId: string, records: TransportRecord[]): Promise<void> {
    let bytes = 0;
    for (const r of records) bytes += r.value.length;
    return new Promise<void>((resolve, reject) => {
      const write: LaneWrite = { records, bytes, resolve, reject };
      const lane = this.lanes.get(streamId);
      if (lane !== undefined) {
        lane.waiting.push(write);
        return;
      }
      const fresh: Lane = { waiting: [write], run: Promise.resolve() };
      this.lanes.set(streamId, fresh);
      fresh.run = this.runLane(streamId, fresh);
    });
  }

  /**
   * Sends one stream's writes in order, one batch at a time. Writes that arrive while a batch is
   * out wait, and go together as the next batch (up to maxBatchRecords / maxBatchBytes): a slow
   * ack makes batches bigger, not a queue of one round trip per write.
   */
  private async runLane(streamId: string, lane: Lane): Promise<void> {
    while (lane.waiting.length > 0) {
      const taken = this.takeWrites(lane.waiting);
      try {
        const batch = this.makeBatch(streamId, taken);
        await (this.queue ? this.sendOrSpill(batch, this.queue) : this.sendUntilAcked(batch));
        for (const w of taken) w.resolve();
      } catch (error) {
        for (const w of taken) w.reject(error);
      }
    }
    this.lanes.delete(streamId);
  }

  /** The oldest waiting writes that fit one batch (the first always does). */
  private takeWrites(waiting: LaneWrite[]): LaneWrite[] {
    let n = 1;
    let records = waiting[0]!.records.length;
    let bytes = waiting[0]!.bytes;
    for (; n < waiting.length; n++) {
      const next = waiting[n]!;
      if (records + next.records.length > this.config.maxBatchRecords || bytes + next.bytes > this.config.maxBatchBytes) break;
      records += next.records.length;
      bytes += next.bytes;
    }
    return waiting.splice(0, n);
  }

  /** The batch of `writes`, with the stream's next sequence number (kept by every retry and replay of it). */
  private makeBatch(streamId: string, writes: readonly LaneWrite[]): SpilledBatch {
    // From 0, as the gateway's window expects of a new agent: its floor then moves up with every stored batch.
    const sequence = (this.sequences.get(streamId) ?? -1n) + 1n;
    this.sequences.set(streamId, sequence);
    const records = writes.length === 1 ? writes[0]!.records : writes.flatMap((w) => w.records);
    return { agentId: this.agentId, streamId, sequence: String(sequence), count: records.length, records: encodeRecords(records, 'LZ4') };
  }

  private async sendOrSpill(batch: SpilledBatch, queue: SpillQueue): Promise<void> {
    if (this.hasSpilled(batch.streamId, queue)) return this.spill(batch, queue);
    const bucket = this.bucket(batch.streamId);
    if (bucket !== null && bucket.waitMs(batch.count) > 0) return this.spill(batch, queue);
    bucket?.take(batch.count);
    try {
      await this.send(batch);
    } catch (err) {
      if (!(err instanceof SendFailed)) throw err;
      if (isPermanent(err)) throw new BatchRejected(err.message);
      await this.spill(batch, queue);
    }
  }

  private async sendUntilAcked(batch: SpilledBatch): Promise<void> {
    const signal = this.writesEnd;
    const bucket = this.bucket(batch.streamId);
    for (let attempt = 0; ; attempt++) {
      const wait = bucket?.waitMs(batch.count) ?? 0;
      if (wait > 0) await sleep(wait, undefined, { signal });
      bucket?.take(batch.count);
      try {
        await this.send(batch);
        return;
      } catch (err) {
        if (!(err instanceof SendFailed)) throw err;
        if (isPermanent(err)) throw new BatchRejected(err.message);
        this.stats.retried++;
        await sleep(retryDelay(attempt, this.config.backoff, err.retryAfterMs), undefined, { signal });
      }
    }
  }

  private async send(batch: SpilledBatch): Promise<AckMessage> {
    this.stats.sentBatches++;
    const stream = this.config.streams[batch.streamId];
    const ack = await this.pool.send(
      { ...batch, token: stream?.token ?? this.config.token, compression: 'LZ4' },
      this.config.timeoutMs,
    );
    this.stats.ackedBatches++;
    this.stats.ackedRecords += batch.count;
    this.stats.duplicates += ack.duplicates;
    return ack;
  }

  private async spill(batch: SpilledBatch, queue: SpillQueue): Promise<void> {
    const offset = await queue.append(batch, this.writesEnd);
    let offsets = this.spilled.get(batch.streamId);
    if (offsets === undefined) this.spilled.set(batch.streamId, (offsets = new Set()));
    offsets.add(offset);
    this.stats.spilledBatches++;
    this.stats.spilledRecords += batch.count;
    this.wake.notify();
  }

  private hasSpilled(streamId: string, queue: SpillQueue): boolean {
    if (queue.lowWater < this.restoredUntil) return true;
    const offsets = this.spilled.get(streamId);
    if (offsets === undefined) return false;
    // Batches dropped at the cap are below the low water mark and wait no more.
    for (const offset of offsets) if (offset < queue.lowWater) offsets.delete(offset);
    return offsets.size > 0;
  }

  private bucket(streamId: string): TokenBucket | null {
    let bucket = this.buckets.get(streamId);
    if (bucket === undefined) {
      const rate = this.config.streams[streamId]?.rate ?? this.config.rate;
      bucket = rate === undefined ? null : new TokenBucket(rate);
      this.buckets.set(streamId, bucket);
    }
    return bucket;
  }

  /** Sends queued batches: up to `replayInFlight` taken from the queue, each stream's in order on its own lane. */
  private async replay(queue: SpillQueue): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const taken = await queue.take(this.config.replayInFlight - this.replayInFlight);
      for (const batch of taken) {
        this.replayInFlight++;
        const lane = this.replayLanes.get(batch.streamId);
        if (lane !== undefined) lane.push(batch);
        else {
          this.replayLanes.set(batch.streamId, [batch]);
          const run = this.replayLane(batch.streamId, queue, signal);
          this.replayRuns.add(run);
          void run.finally(() => this.replayRuns.delete(run));
        }
      }
      if (taken.length === 0) await this.wake.wait(1000);
    }
  }

  private async replayLane(streamId: string, queue: SpillQueue, signal: AbortSignal): Promise<void> {
    const lane = this.replayLanes.get(streamId) as QueuedBatch[];
    const bucket = this.bucket(streamId);
    let attempt = 0;
    try {
      while (lane.length > 0 && !signal.aborted) {
        const batch = lane[0] as QueuedBatch;
        if (batch.offset < queue.lowWater) {
          lane.shift(); // dropped at the cap while waiting
          this.replayInFlight--;
          continue;
        }
        const wait = bucket?.waitMs(batch.count) ?? 0;
        if (wait > 0) {
          await sleep(wait, undefined, { signal });
          continue;
        }
        bucket?.take(batch.count);
        try {
          await this.send(batch);
          this.stats.replayedBatches++;
        } catch (err) {
          if (!(err instanceof SendFailed)) throw err;
          if (!isPermanent(err)) {
            this.stats.retried++;
            await sleep(retryDelay(attempt++, this.config.backoff, err.retryAfterMs), undefined, { signal });
            continue;
          }
          this.stats.rejectedRecords += batch.count;
          this.log.error({ stream: streamId, sequence: batch.sequence, records: batch.count }, `agent: the gateway refused spilled batch ${batch.sequence} of stream ${streamId} (${batch.count} records) for good, it is not sent again: ${err.message}`);
        }
        attempt = 0;
        lane.shift();
        this.replayInFlight--;
        this.spilled.get(streamId)?.delete(batch.offset);
        await queue.acknowledge(batch.offset);
        this.wake.notify();
      }
    } catch (err) {
      if (!signal.aborted) this.log.error({ err: (err as Error).message, stream: streamId }, `agent: replay of stream ${streamId} stopped: ${(err as Error).message}`);
    } finally {
      this.replayLanes.delete(streamId);
      this.replayInFlight -= lane.length;
    }
  }
}
