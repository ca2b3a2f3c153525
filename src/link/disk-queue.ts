import { EmbeddedLog } from '../log/index.js';
import { decodeRecords, encodeRecords, type WireRecord } from './wire-record.js';

const TOPIC = 'link';
const DOWNSTREAM = 'downstream';

/**
 * One side's disk queue: an embedded-log topic with one partition, fsynced before every append
 * resolves. A record's sequence number is its offset + 1 (docs/decisions/mirror-link.md), so the
 * queue's end is the highest sequence number it holds.
 */
export class DiskQueue {
  private constructor(private readonly log: EmbeddedLog) {}

  static async open(dir: string): Promise<DiskQueue> {
    const log = await EmbeddedLog.open({ dir, fsync: { mode: 'batch' } });
    if (!log.topics().includes(TOPIC)) await log.createTopic(TOPIC, { partitions: 1 });
    return new DiskQueue(log);
  }

  /** Highest sequence number held (0: empty). */
  get head(): number {
    return this.log.endOffset(TOPIC, 0);
  }

  /** Lowest sequence number still held. */
  get tail(): number {
    return this.log.startOffset(TOPIC, 0) + 1;
  }

  /** Appends durably; resolves with the last sequence number given. */
  async append(records: readonly WireRecord[]): Promise<number> {
    if (records.length === 0) return this.head;
    await this.log.append(TOPIC, 0, records.map((r) => ({ value: encodeRecords([r]), ts: r.ts })));
    return this.head;
  }

  /** Records from sequence number `seq` on, within the limits. */
  async read(seq: number, maxRecords: number, maxBytes: number): Promise<WireRecord[]> {
    const got = await this.log.read(TOPIC, 0, seq - 1, { maxRecords, maxBytes });
    return got.records.map((e) => decodeRecords(Buffer.from(e.value), 1)[0] as WireRecord);
  }

  /** The sequence number up to which downstream has taken the records (receiver side). */
  get delivered(): number {
    return this.log.committedOffset(DOWNSTREAM, TOPIC, 0) ?? 0;
  }

  async deliver(seq: number): Promise<void> {
    await this.log.commitOffset(DOWNSTREAM, TOPIC, 0, seq);
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
