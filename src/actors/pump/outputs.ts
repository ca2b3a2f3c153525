import type { Ack } from '../../streams/ack.js';
import type { Batch } from '../../streams/batch.js';
import type { Channel } from '../../streams/channel.js';
import type { Origin } from '../../streams/origin.js';
import { recordBytes, type LogRecord } from '../../streams/record.js';

/** Called when an offer has to wait for downstream capacity, and when it may go on. */
export interface BlockListener {
  blocked(): void;
  unblocked(): void;
}

/**
 * The channels an actor's output fans out to. Each consumer gets the same records (records are
 * never mutated after they leave an actor) with its own fork of the ack, so the input is acked
 * only when every branch is done. Under `backpressure` the slowest branch sets the pace; a branch
 * that must not stall its siblings says so with a dropping overflow policy on its channel.
 */
export class Outputs {
  /**
   * Sees the records of every batch this actor sends while set (the inspector's `tap`); unset, it
   * costs one check per batch and nothing per record.
   */
  tap: ((records: readonly LogRecord[]) => void) | undefined = undefined;

  constructor(
    readonly channels: readonly Channel[],
    private readonly counters: { recordsOut: number; bytesOut: number } = { recordsOut: 0, bytesOut: 0 },
  ) {}

  /** Sends records downstream; resolves once every channel has accepted its batch. */
  async send(records: LogRecord[], ack: Ack, position: string, listener: BlockListener, origin?: Origin): Promise<void> {
    if (records.length === 0 || this.channels.length === 0) {
      ack.done();
      return;
    }
    let bytes = 0;
    for (const r of records) bytes += recordBytes(r);
    this.counters.recordsOut += records.length;
    this.counters.bytesOut += bytes;
    this.tap?.(records);
    const acks = ack.fork(this.channels.length);
    let waits: Promise<void>[] | undefined;
    for (let i = 0; i < this.channels.length; i++) {
      const channel = this.channels[i] as Channel;
      const batch: Batch = { records, ack: acks[i] as Ack, bytes, position, origin, attempts: 0 };
      if (!channel.tryOffer(batch)) (waits ??= []).push(channel.offer(batch));
    }
    await this.wait(waits, listener);
  }

  /**
   * Sends `partitions[i]` to consumer `i` only (a partitioning stage). The ack is forked across the
   * non-empty partitions; a batch whose partitions are all empty is acked at once. Each partition
   * carries the batch's `origin`: it is all that came of those source records for its consumer.
   */
  async sendPartitioned(partitions: LogRecord[][], ack: Ack, position: string, listener: BlockListener, origin?: Origin): Promise<void> {
    if (partitions.length !== this.channels.length) {
      throw new Error(`a partitioning stage returned ${partitions.length} partitions for ${this.channels.length} consumers`);
    }
    const targets = partitions.flatMap((records, i) => (records.length > 0 ? [i] : []));
    if (targets.length === 0) {
      ack.done();
      return;
    }
    const acks = ack.fork(targets.length);
    let waits: Promise<void>[] | undefined;
    targets.forEach((i, n) => {
      const records = partitions[i] as LogRecord[];
      let bytes = 0;
      for (const r of records) bytes += recordBytes(r);
      this.counters.recordsOut += records.length;
      this.counters.bytesOut += bytes;
      this.tap?.(records);
      const channel = this.channels[i] as Channel;
      const batch: Batch = { records, ack: acks[n] as Ack, bytes, position, origin, attempts: 0 };
      if (!channel.tryOffer(batch)) (waits ??= []).push(channel.offer(batch));
    });
    await this.wait(waits, listener);
  }

  private async wait(waits: Promise<void>[] | undefined, listener: BlockListener): Promise<void> {
    if (waits === undefined) return;
    listener.blocked();
    try {
      await Promise.all(waits);
    } finally {
      listener.unblocked();
    }
  }
}
