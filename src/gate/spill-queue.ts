import { EmbeddedLog } from '../log/index.js';
import { Wake } from '../core/wake.js';

const TOPIC = 'spill';
const DONE = 'done';

/** One batch in the spill queue, as it will be sent (its agent id and sequence kept for retries). */
export interface SpilledBatch {
  agentId: string;
  streamId: string;
  sequence: string;
  count: number;
  /** The batch's records, LZ4-compressed as sent. */
  records: Buffer;
}

export interface QueuedBatch extends SpilledBatch {
  offset: number;
}

export type AtCap = 'block' | 'drop-oldest';

/**
 * The agent's disk queue of batches the gateway could not take: an embedded-log partition,
 * fsynced before an append resolves, so a spilled batch survives kill -9. Batches are handed out
 * for replay in append order ({@link take}) and may be acknowledged in any order; everything below
 * the lowest unacknowledged batch is done (made durable) and deleted a whole segment at a time.
 * After a restart, replay starts again at the first batch not done (acked ones after it are sent
 * again: duplicates, bounded by the replay window).
 *
 * Bounded by `maxBytes`: at the cap an append waits for room (`block`) or deletes the oldest
 * queued batches (`drop-oldest`, counted in {@link droppedRecords}).
 */
export class SpillQueue {
  private cursor: number;
  private readonly acked = new Set<number>();
  private readonly room = new Wake();
  private chain: Promise<unknown> = Promise.resolve();
  droppedRecords = 0;
  droppedBatches = 0;
  /** Since when appends wait for room (undefined: not waiting). */
  fullSince: number | undefined;

  private constructor(
    private readonly log: EmbeddedLog,
    private readonly maxBytes: number,
    private readonly atCap: AtCap,
    private low: number,
  ) {
    this.cursor = low;
  }

  static async open(dir: string, opts: { maxBytes: number; segmentBytes: number; atCap: AtCap }): Promise<SpillQueue> {
    const log = await EmbeddedLog.open({ dir, segmentBytes: opts.segmentBytes, fsync: { mode: 'batch' } });
    if (!log.topics().includes(TOPIC)) await log.createTopic(TOPIC, { partitions: 1 });
    const low = Math.max(log.committedOffset(DONE, TOPIC, 0) ?? 0, log.startOffset(TOPIC, 0));
    return new SpillQueue(log, opts.maxBytes, opts.atCap, low);
  }

  /** Bytes on disk. */
  get sizeBytes(): number {
    return this.log.describePartition(TOPIC, 0).sizeBytes;
  }

  /** Offset after the last batch queued. */
  get end(): number {
    return this.log.endOffset(TOPIC, 0);
  }

  /** Offset of the first batch not acknowledged yet (= {@link end} when nothing waits). */
  get lowWater(): number {
    return this.low;
  }

  /** Batches queued and not acknowledged. */
  get pending(): number {
    return this.end - this.low - this.acked.size;
  }

  /** Appends durably; resolves with the batch's offset. At the cap it waits or drops first, by policy. */
  async append(batch: SpilledBatch, signal: AbortSignal): Promise<number> {
    while (this.sizeBytes >= this.maxBytes) {
      signal.throwIfAborted();
      if (this.atCap === 'drop-oldest' && this.low < this.end) {
        await this.dropOldestSegment();
        continue;
      }
      this.fullSince ??= Date.now();
      await this.room.wait(200);
    }
    this.fullSince = undefined;
    const entry = {
      key: batch.streamId,
      value: batch.records,
      ts: Date.now(),
      headers: { agent: batch.agentId, sequence: batch.sequence, count: String(batch.count) },
    };
    const { baseOffset } = await this.log.append(TOPIC, 0, [entry]);
    return baseOffset;
  }

  /** The next batches for replay, in queue order, at most `max`; each is handed out once per run. */
  async take(max: number): Promise<QueuedBatch[]> {
    if (this.cursor < this.low) this.cursor = this.low;
    if (max <= 0 || this.cursor >= this.end) return [];
    const got = await this.log.read(TOPIC, 0, this.cursor, { maxRecords: max });
    const out = got.records.map((e): QueuedBatch => {
      const h = e.headers ?? {};
      return {
        offset: e.offset,
        agentId: String(h.agent),
        streamId: String(e.key),
        sequence: String(h.sequence),
        count: Number(String(h.count)),
        records: Buffer.from(e.value),
      };
    });
    if (out.length > 0) this.cursor = (out[out.length - 1] as QueuedBatch).offset + 1;
    return out;
  }

  /** A batch the gateway acknowledged (or that can never be sent): done once all before it are. */
  acknowledge(offset: number): Promise<void> {
    if (offset < this.low) return Promise.resolve();
    this.acked.add(offset);
    return this.serial(async () => {
      let low = this.low;
      while (this.acked.delete(low)) low++;
      if (low > this.low) await this.markDone(low);
    });
  }

  close(): Promise<void> {
    return this.chain.then(() => this.log.close());
  }

  /** Drops the queued batches of the oldest segment (or the first batch, when one segment is all there is). */
  private dropOldestSegment(): Promise<void> {
    return this.serial(async () => {
      const first = this.log.describePartition(TOPIC, 0).segments[0];
      const upTo = Math.min(this.end, Math.max(this.low + 1, first?.nextOffset ?? this.low + 1));
      for (let at = this.low; at < upTo; ) {
        const got = await this.log.read(TOPIC, 0, at, { maxRecords: upTo - at });
        if (got.records.length === 0) break;
        for (const e of got.records) {
          if (!this.acked.has(e.offset)) {
            this.droppedBatches++;
            this.droppedRecords += Number(String(e.headers?.count ?? '0'));
          }
          this.acked.delete(e.offset);
        }
        at = (got.records[got.records.length - 1] as { offset: number }).offset + 1;
      }
      await this.markDone(upTo);
    });
  }

  private async markDone(low: number): Promise<void> {
    this.low = low;
    for (const offset of this.acked) if (offset < low) this.acked.delete(offset);
    await this.log.commitOffset(DONE, TOPIC, 0, low);
    await this.log.deleteRecordsBefore(TOPIC, 0, low);
    this.room.notify();
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
