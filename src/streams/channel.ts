import { splitBatch, type Batch } from './batch.js';
import type { ChannelConfig } from './overflow.js';
import { Queue } from './queue.js';

export class ChannelClosedError extends Error {
  constructor(channel: string) {
    super(`channel ${channel} is closed`);
    this.name = 'ChannelClosedError';
  }
}

export class ChannelOverflowError extends Error {
  constructor(channel: string, maxRecords: number, maxBytes: number) {
    super(`channel ${channel} is full (${maxRecords} records / ${maxBytes} bytes) and its overflow policy is "fail"`);
    this.name = 'ChannelOverflowError';
  }
}

/** A batch taken from a channel. Its records keep counting against capacity until settled. */
export interface Lease {
  readonly batch: Batch;
  /** The consumer is done with the batch (passed it on, wrote it, or dead-lettered it). */
  release(): void;
  /** The consumer could not finish: put the batch back at the head for another consumer (the consumer counts the attempt). */
  requeue(): void;
}

/** A lease as the channel hands it out: a class, so taking a batch allocates no closures. */
class ChannelLease implements Lease {
  private settled = false;
  /** Called once the lease is released or requeued (set by {@link fromChannel} to return credit). */
  onSettle: (() => void) | undefined;

  constructor(
    private readonly channel: Channel,
    readonly batch: Batch,
  ) {}

  release(): void {
    if (this.settled) return;
    this.settled = true;
    this.channel.settleLease(this.batch, false);
    this.onSettle?.();
  }

  requeue(): void {
    if (this.settled) return;
    this.settled = true;
    this.channel.settleLease(this.batch, true);
    this.onSettle?.();
  }
}

export interface ChannelStats {
  depthRecords: number;
  depthBytes: number;
  queuedBatches: number;
  inflightBatches: number;
  offeredRecords: number;
  takenRecords: number;
  droppedRecords: number;
  redelivered: number;
  /** Total time producers spent waiting for capacity. */
  blockedMs: number;
  maxDepthRecords: number;
}

/**
 * A bounded channel of batches between actors: the data plane's only buffer.
 *
 * Capacity counts queued *and* leased (in-flight) records and bytes, so memory stays bounded
 * through the whole hop, and a batch redelivered after a consumer crash never pushes the depth
 * over capacity. Free capacity is the consumer's credit: a producer that finds none either waits
 * (`backpressure`) or applies the overflow policy. Batches with more records than the capacity are
 * split (their ack forked); a single record larger than `maxBytes` is admitted only into an empty
 * channel.
 *
 * Producers register with {@link addProducer}; the channel closes when the last one leaves, and
 * consumers then drain what is queued before {@link take} returns `undefined`.
 */
export type { ChannelLease };

export class Channel {
  private readonly queue = new Queue<Batch>();
  private readonly takers = new Queue<(lease: ChannelLease | undefined) => void>();
  private readonly offerers = new Queue<() => void>();
  private producers = 0;
  private closed = false;
  private readonly s: ChannelStats = {
    depthRecords: 0,
    depthBytes: 0,
    queuedBatches: 0,
    inflightBatches: 0,
    offeredRecords: 0,
    takenRecords: 0,
    droppedRecords: 0,
    redelivered: 0,
    blockedMs: 0,
    maxDepthRecords: 0,
  };

  constructor(
    readonly name: string,
    readonly config: ChannelConfig,
  ) {}

  get stats(): Readonly<ChannelStats> {
    this.s.queuedBatches = this.queue.length;
    return this.s;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Closed, empty, and nothing in flight that could still be redelivered. */
  get drained(): boolean {
    return this.closed && this.queue.length === 0 && this.s.inflightBatches === 0;
  }

  /** Registers a producer; call the returned function once it will offer no more. */
  addProducer(): () => void {
    this.producers += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.producers -= 1;
      if (this.producers === 0) this.close();
    };
  }

  /** Closes the channel to producers; queued batches still drain. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.drained) this.wakeTakersAtEnd();
    while (this.offerers.length > 0) this.offerers.shift()?.();
  }

  /**
   * Offers a batch without waiting. Returns false only under `backpressure` when there is no room
   * (the caller then awaits {@link offer}); other policies always make room or throw.
   */
  tryOffer(batch: Batch): boolean {
    if (this.closed) throw new ChannelClosedError(this.name);
    // Oversize batches go through offer(), which splits them.
    if (batch.records.length > this.config.maxRecords) return false;
    if (this.fits(batch)) {
      this.enqueue(batch);
      return true;
    }
    switch (this.config.overflow) {
      case 'backpressure':
        return false;
      case 'dropNew':
        this.drop(batch);
        return true;
      case 'dropHead':
        while (!this.fits(batch) && this.queue.length > 0) this.dropQueued(this.queue.shift() as Batch);
        if (this.fits(batch)) this.enqueue(batch);
        else this.drop(batch); // everything left is in flight: the new batch cannot wait
        return true;
      case 'fail':
        throw new ChannelOverflowError(this.name, this.config.maxRecords, this.config.maxBytes);
    }
  }

  /** Offers a batch, waiting for capacity under `backpressure`. */
  async offer(batch: Batch): Promise<void> {
    for (const piece of splitBatch(batch, this.config.maxRecords)) {
      if (this.tryOffer(piece)) continue;
      const started = performance.now();
      while (!this.tryOffer(piece)) {
        await new Promise<void>((resolve) => this.offerers.push(resolve));
        if (this.closed) throw new ChannelClosedError(this.name);
      }
      this.s.blockedMs += performance.now() - started;
    }
  }

  /** Takes the next batch, waiting for one; `undefined` once closed and drained. */
  take(): Promise<ChannelLease | undefined> {
    const lease = this.tryTake();
    if (lease !== undefined || this.drained) return Promise.resolve(lease);
    return new Promise((resolve) => this.takers.push(resolve));
  }

  /** Takes the next batch if one is queued. */
  tryTake(): ChannelLease | undefined {
    const batch = this.queue.shift();
    if (batch === undefined) return undefined;
    this.s.inflightBatches += 1;
    this.s.takenRecords += batch.records.length;
    return new ChannelLease(this, batch);
  }

  /** Bookkeeping of a settled lease: free its capacity, or put the batch back at the head. */
  settleLease(batch: Batch, requeue: boolean): void {
    this.s.inflightBatches -= 1;
    if (!requeue) {
      this.free(batch);
      return;
    }
    this.s.redelivered += 1;
    batch.redelivered = true;
    this.s.takenRecords -= batch.records.length;
    this.queue.unshift(batch);
    this.wakeTaker();
  }

  private fits(batch: Batch): boolean {
    if (this.s.depthRecords === 0) return true;
    return (
      this.s.depthRecords + batch.records.length <= this.config.maxRecords &&
      this.s.depthBytes + batch.bytes <= this.config.maxBytes
    );
  }

  private enqueue(batch: Batch): void {
    this.s.depthRecords += batch.records.length;
    this.s.depthBytes += batch.bytes;
    this.s.offeredRecords += batch.records.length;
    if (this.s.depthRecords > this.s.maxDepthRecords) this.s.maxDepthRecords = this.s.depthRecords;
    this.queue.push(batch);
    this.wakeTaker();
  }

  private wakeTaker(): void {
    if (this.takers.length === 0 || this.queue.length === 0) return;
    const taker = this.takers.shift() as (lease: ChannelLease | undefined) => void;
    taker(this.tryTake());
  }

  private wakeTakersAtEnd(): void {
    while (this.takers.length > 0) this.takers.shift()?.(undefined);
  }

  private free(batch: Batch): void {
    this.s.depthRecords -= batch.records.length;
    this.s.depthBytes -= batch.bytes;
    if (this.drained) this.wakeTakersAtEnd();
    // Wake every waiting producer: each re-checks capacity and waits again if still full.
    let n = this.offerers.length;
    while (n-- > 0) this.offerers.shift()?.();
  }

  private dropQueued(batch: Batch): void {
    this.s.depthRecords -= batch.records.length;
    this.s.depthBytes -= batch.bytes;
    this.drop(batch);
  }

  /** A dropped batch is acknowledged: the topology chose loss over waiting, and we count it. */
  private drop(batch: Batch): void {
    this.s.droppedRecords += batch.records.length;
    batch.ack.done();
  }
}
