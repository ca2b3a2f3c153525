import type { ConsumedBatch } from './message-log.js';

/** Callbacks a {@link HandoffBuffer} uses to stop and restart fetching. */
export interface FlowControl {
  /** The buffer reached a bound: stop fetching. */
  full(): void;
  /** The reader took half of it back: fetch again. */
  room(): void;
}

function batchBytes(batch: ConsumedBatch): number {
  let n = 0;
  for (const m of batch.messages) n += (m.value?.length ?? 0) + (m.key?.length ?? 0);
  return n;
}

/**
 * The bounded hand-off between a consumer's fetch loop and the source's `read()`. Fetched batches
 * queue here; reaching `maxRecords` or `maxBytes` calls `full` (the consumer pauses its
 * partitions) and draining to half calls `room` (it resumes). The consumer pushes only what fits
 * ({@link HandoffBuffer.room}) and fetches the rest again later, so the limits hold within one
 * message.
 *
 * @example
 * const buffer = new HandoffBuffer({ maxRecords: 10_000, maxBytes: 16 << 20 }, { full: pauseAll, room: resumeAll });
 * buffer.push(batch);          // from the fetch loop
 * const next = await buffer.take(); // from read()
 */
export class HandoffBuffer {
  private readonly queue: { batch: ConsumedBatch; bytes: number }[] = [];
  private records = 0;
  private bytes = 0;
  private isFull = false;
  private waiter: { resolve: (b: ConsumedBatch) => void; reject: (e: unknown) => void } | undefined;
  private error: unknown;

  constructor(
    private readonly limits: { maxRecords: number; maxBytes: number },
    private readonly flow: FlowControl,
  ) {}

  /** Records and bytes waiting to be read. */
  get size(): { records: number; bytes: number; batches: number } {
    return { records: this.records, bytes: this.bytes, batches: this.queue.length };
  }

  /** Records and bytes that still fit below the limits. */
  get room(): { records: number; bytes: number } {
    return { records: this.limits.maxRecords - this.records, bytes: this.limits.maxBytes - this.bytes };
  }

  get full(): boolean {
    return this.isFull;
  }

  push(batch: ConsumedBatch): void {
    if (this.error !== undefined) return;
    const waiter = this.waiter;
    if (waiter !== undefined && this.queue.length === 0) {
      this.waiter = undefined;
      waiter.resolve(batch);
      return;
    }
    const bytes = batchBytes(batch);
    this.queue.push({ batch, bytes });
    this.records += batch.messages.length;
    this.bytes += bytes;
    if (!this.isFull && (this.records >= this.limits.maxRecords || this.bytes >= this.limits.maxBytes)) {
      this.isFull = true;
      this.flow.full();
    }
  }

  /** The oldest batch; waits for one. Rejects once {@link fail} was called. */
  take(): Promise<ConsumedBatch> {
    if (this.error !== undefined) return Promise.reject(this.error);
    const head = this.queue.shift();
    if (head !== undefined) {
      this.records -= head.batch.messages.length;
      this.bytes -= head.bytes;
      this.checkRoom();
      return Promise.resolve(head.batch);
    }
    if (this.waiter !== undefined) return Promise.reject(new Error('HandoffBuffer.take: one reader at a time'));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Drops queued batches that `keep` rejects (revoked partitions); returns how many records went. */
  drop(keep: (batch: ConsumedBatch) => boolean): number {
    let dropped = 0;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const entry = this.queue[i] as { batch: ConsumedBatch; bytes: number };
      if (keep(entry.batch)) continue;
      this.queue.splice(i, 1);
      this.records -= entry.batch.messages.length;
      this.bytes -= entry.bytes;
      dropped += entry.batch.messages.length;
    }
    this.checkRoom();
    return dropped;
  }

  /** Fails the pending and every later {@link take} with `error` (the first error wins). */
  fail(error: unknown): void {
    if (this.error !== undefined) return;
    this.error = error;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
  }

  private checkRoom(): void {
    if (this.isFull && this.records <= this.limits.maxRecords / 2 && this.bytes <= this.limits.maxBytes / 2) {
      this.isFull = false;
      this.flow.room();
    }
  }
}
