import type { Origin } from '../../streams/origin.js';
import { textOf, type TextOrBytes } from '../../core/text-or-bytes.js';
import type { ConsumedMessage, TopicAdmin } from '../../transport/message-log.js';

/** Header carrying a mirrored record's link sequence number into the destination: `<link>:<seq>`. */
export const LINK_SEQ_HEADER = 'millrace.link-seq';

/** `<link source actor>/<link>`: the origin a link source gives its batches (no stage in between). */
const LINK_STREAM = /^[^/>!]+\/([^/>!]+)$/;

/** How many records a backward scan of a destination partition reads at a time. */
const SCAN_WINDOW = 500;

/** The link and each record's sequence number, for a batch straight from a link source. */
export function linkOf(origin: Origin | undefined): { link: string; seqs: readonly number[] } | undefined {
  const m = origin?.positions === undefined ? null : LINK_STREAM.exec(origin.stream);
  return m === null ? undefined : { link: m[1] as string, seqs: origin?.positions as readonly number[] };
}

export function linkSeqValue(link: string, seq: number): string {
  return `${link}:${seq}`;
}

/** The sequence number in a header value written by `link`, or undefined (another link's, or none). */
export function parseLinkSeq(value: TextOrBytes | undefined, link: string): number | undefined {
  if (value === undefined) return undefined;
  const text = textOf(value);
  if (!text.startsWith(`${link}:`)) return undefined;
  const seq = Number(text.slice(link.length + 1));
  return Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
}

/**
 * The skip rule: a record is already in the destination when its sequence number is at or below
 * the last one of `link` in its destination partition. Sound because a partition receives the
 * link's records in sequence order and each produce to a partition is all or nothing, one at a
 * time (docs/decisions/mirror-link.md).
 */
export function alreadyWritten(seq: number, lastInPartition: number): boolean {
  return seq <= lastInPartition;
}

/**
 * The last sequence number of `link` in each destination partition, read back from the
 * partitions' ends (newest first, in windows, past records of other writers), cached until
 * {@link reset} and raised as records are written.
 */
export class DestinationSequences {
  private readonly last = new Map<string, number>();

  constructor(private readonly admin: TopicAdmin) {}

  /** Forgets what was read: after a reconnect the destination may hold more than the cache says. */
  reset(): void {
    this.last.clear();
  }

  async lastOf(link: string, topic: string, partition: number): Promise<number> {
    const key = `${topic}/${partition}`;
    const known = this.last.get(key);
    if (known !== undefined) return known;
    const found = await this.scan(link, topic, partition);
    this.last.set(key, found);
    return found;
  }

  /** After a write: the partition's last sequence number is now at least `seq`. */
  wrote(topic: string, partition: number, seq: number): void {
    const key = `${topic}/${partition}`;
    if ((this.last.get(key) ?? 0) < seq) this.last.set(key, seq);
  }

  private async scan(link: string, topic: string, partition: number): Promise<number> {
    const { low, high } = await this.admin.range(topic, partition);
    for (let end = high; end > low; end = Math.max(low, end - SCAN_WINDOW)) {
      const window = await this.readRange(topic, partition, Math.max(low, end - SCAN_WINDOW), end);
      for (let i = window.length - 1; i >= 0; i--) {
        const seq = parseLinkSeq(window[i]?.headers[LINK_SEQ_HEADER], link);
        if (seq !== undefined) return seq;
      }
    }
    return 0;
  }

  private async readRange(topic: string, partition: number, from: number, to: number): Promise<ConsumedMessage[]> {
    const out: ConsumedMessage[] = [];
    for (let next = from; next < to; ) {
      const got = (await this.admin.read(topic, partition, next)).filter((m) => m.offset < to);
      // Offsets can have holes (compaction, transaction markers): an empty answer ends the range.
      if (got.length === 0) break;
      out.push(...got);
      next = (got[got.length - 1] as ConsumedMessage).offset + 1;
    }
    return out;
  }
}
