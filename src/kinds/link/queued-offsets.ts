import type { DiskQueue } from '../../link/disk-queue.js';
import type { WireRecord } from '../../link/wire-record.js';

/**
 * The highest source offset queued per topic partition, so records a kafka source delivers again
 * after a crash (read, queued, not yet committed) are not queued twice. Rebuilt at start by
 * scanning the queue. Records without a source partition (-1) are always queued.
 */
export class QueuedOffsets {
  private readonly last = new Map<string, bigint>();

  static async scan(queue: DiskQueue): Promise<QueuedOffsets> {
    const q = new QueuedOffsets();
    for (let seq = queue.tail; seq <= queue.head; ) {
      const records = await queue.read(seq, 10_000, 8 * 1024 * 1024);
      if (records.length === 0) break;
      q.note(records);
      seq += records.length;
    }
    return q;
  }

  /** The records not queued yet. */
  fresh(records: readonly WireRecord[]): WireRecord[] {
    return records.filter((r) => {
      if (r.partition < 0) return true;
      const last = this.last.get(`${r.topic}/${r.partition}`);
      return last === undefined || BigInt(r.offset) > last;
    });
  }

  note(records: readonly WireRecord[]): void {
    for (const r of records) if (r.partition >= 0) this.last.set(`${r.topic}/${r.partition}`, BigInt(r.offset));
  }
}
