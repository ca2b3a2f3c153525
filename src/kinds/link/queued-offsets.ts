import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DiskQueue } from '../../link/disk-queue.js';
import type { WireRecord } from '../../link/wire-record.js';
import { writeFileAtomic } from '../../log/index.js';

const SNAPSHOT = 'queued-offsets.json';

interface Snapshot {
  /** The map covers the records up to this sequence number. */
  seq: number;
  offsets: [string, string][];
}

/**
 * The highest source offset queued per topic partition, so records a kafka source delivers again
 * after a crash (read, queued, not yet committed) are not queued twice. Records without a source
 * partition (-1) are always queued. At start it is the snapshot saved before the queue was last
 * trimmed plus a scan of the records queued after that snapshot, so the scan never covers more
 * than the queue holds and trimmed records are still remembered.
 */
export class QueuedOffsets {
  private readonly last = new Map<string, bigint>();
  /** Sequence number of the last record noted. */
  private noted = 0;

  private constructor(private readonly file: string) {}

  static async load(queue: DiskQueue, dir: string): Promise<QueuedOffsets> {
    const q = new QueuedOffsets(path.join(dir, SNAPSHOT));
    const snapshot = await readSnapshot(q.file);
    if (snapshot !== undefined) {
      for (const [tp, offset] of snapshot.offsets) q.last.set(tp, BigInt(offset));
      q.noted = snapshot.seq;
    }
    if (q.noted + 1 < queue.tail) throw new Error(`link queue in ${dir} starts at ${queue.tail} but its offset snapshot only covers up to ${q.noted}`);
    for (let seq = q.noted + 1; seq <= queue.head; ) {
      const records = await queue.read(seq, 10_000, 8 * 1024 * 1024);
      if (records.length === 0) break;
      seq += records.length;
      q.note(records, seq - 1);
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

  /** The topics of the source partitions queued so far (those records straight from a kafka source). */
  topics(): string[] {
    const topics = new Set<string>();
    for (const [tp, offset] of this.last) if (offset >= 0n) topics.add(tp.slice(0, tp.lastIndexOf('/')));
    return [...topics];
  }

  /** `records` were queued, the last one at sequence number `lastSeq`. */
  note(records: readonly WireRecord[], lastSeq: number): void {
    for (const r of records) if (r.partition >= 0) this.last.set(`${r.topic}/${r.partition}`, BigInt(r.offset));
    this.noted = lastSeq;
  }

  /** Saves the map durably; it then covers every record up to the last one noted. */
  async save(): Promise<number> {
    const snapshot: Snapshot = { seq: this.noted, offsets: [...this.last].map(([tp, o]) => [tp, String(o)]) };
    await writeFileAtomic(this.file, JSON.stringify(snapshot));
    return snapshot.seq;
  }
}

async function readSnapshot(file: string): Promise<Snapshot | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Snapshot;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
