import { LinkProtocolError } from './protocol-error.js';

/**
 * The sender's view of one link: which sequence numbers are in flight, which the receiver has
 * acknowledged, and where to resume. Sequence numbers start at 1; the sender's disk queue holds
 * `[tail, head]` (anything below `tail` was trimmed after the receiver acknowledged it).
 */
export class SenderWindow {
  /** Highest sequence number the receiver has acknowledged as durable (0: none). */
  acked = 0;
  /** Next sequence number to put on the wire. */
  next = 1;
  private inflight: { last: number; bytes: number }[] = [];
  private inflightBytes = 0;

  /** `acked`: what the receiver is known to have acknowledged before (by an earlier connection). */
  constructor(
    private readonly windowBytes: number,
    acked = 0,
  ) {
    this.acked = acked;
    this.next = acked + 1;
  }

  /**
   * A new connection's handshake said the receiver has persisted up to `persisted`. Resends start
   * right after it. The receiver cannot be behind what it already acknowledged, nor ahead of the
   * queue, and the queue must still hold what it lacks: each breach means lost data, so it throws.
   */
  resume(persisted: number, tail: number, head: number): void {
    if (persisted < this.acked)
      throw new LinkProtocolError(`receiver reports ${persisted} persisted but had acknowledged ${this.acked}: its queue lost data`);
    if (persisted > head)
      throw new LinkProtocolError(`receiver reports ${persisted} persisted but this sender's queue ends at ${head}: the sender's queue lost data or belongs to another link`);
    if (persisted + 1 < tail)
      throw new LinkProtocolError(`receiver needs ${persisted + 1} but this sender's queue starts at ${tail}`);
    this.acked = persisted;
    this.next = persisted + 1;
    this.inflight = [];
    this.inflightBytes = 0;
  }

  /** Whether another frame fits in the byte window. */
  get open(): boolean {
    return this.inflightBytes < this.windowBytes;
  }

  get bytesInFlight(): number {
    return this.inflightBytes;
  }

  /** Records `next .. next + count - 1` went out in a frame of `bytes`. */
  sent(count: number, bytes: number): void {
    this.next += count;
    this.inflight.push({ last: this.next - 1, bytes });
    this.inflightBytes += bytes;
  }

  /**
   * A cumulative ack. One at or below what is known is stale and ignored; one past what was sent
   * is a protocol breach.
   */
  ack(persisted: number): void {
    if (persisted >= this.next) throw new LinkProtocolError(`ack for ${persisted} but only up to ${this.next - 1} was sent`);
    if (persisted <= this.acked) return;
    this.acked = persisted;
    while (this.inflight.length > 0 && (this.inflight[0] as { last: number }).last <= persisted) {
      this.inflightBytes -= (this.inflight.shift() as { bytes: number }).bytes;
    }
  }
}

/** What the receiver does with a data frame. */
export type Admission = { action: 'duplicate' } | { action: 'append'; skip: number; take: number };

/**
 * The receiver's view of one link: `persisted` is durable in its disk queue, `accepted` has been
 * handed to the queue (possibly not yet durable). Frames must continue `accepted` exactly: a frame
 * wholly at or below it is a resend and dropped, one overlapping it is trimmed, one past it leaves
 * a gap and is refused.
 */
export class ReceiverSequence {
  accepted: number;

  constructor(public persisted: number) {
    this.accepted = persisted;
  }

  admit(first: number, count: number): Admission {
    const last = first + count - 1;
    if (last <= this.accepted) return { action: 'duplicate' };
    if (first > this.accepted + 1)
      throw new LinkProtocolError(`gap: frame starts at ${first} but ${this.accepted + 1} is next`);
    const skip = this.accepted + 1 - first;
    this.accepted = last;
    return { action: 'append', skip, take: count - skip };
  }

  /** Everything up to `upTo` is now durable; returns the cumulative ack to send. */
  durable(upTo: number): number {
    if (upTo > this.accepted) throw new RangeError(`durable ${upTo} past accepted ${this.accepted}`);
    if (upTo > this.persisted) this.persisted = upTo;
    return this.persisted;
  }
}
