import { Ack, type AckOutcome } from './ack.js';

/**
 * Turns out-of-order batch acknowledgements into in-order commits.
 *
 * A source registers each batch's position in emission order with {@link begin}; when acks arrive
 * (in any order) the tracker calls `commit` with the highest position whose batch and every batch
 * before it were acknowledged, so a commit never skips unacknowledged data. A failed ack stops the
 * commit point there for good and is reported through `onFailure`: the source then restarts from
 * its last commit and the data is redelivered (at-least-once).
 *
 * @example
 * const t = new CommitTracker<number>((offset) => store.save(offset));
 * const a = t.begin(10), b = t.begin(20);
 * b.done(); // nothing committed yet: 10 is still open
 * a.done(); // commit(20)
 */
export class CommitTracker<P> {
  private next = 0;
  private low = 0;
  private readonly open = new Map<number, { position: P; done: boolean }>();
  private failedAt: number | undefined;
  private last: P | undefined;

  constructor(
    private readonly commit: (position: P) => void,
    private readonly onFailure: (position: P, reason: string) => void = () => undefined,
  ) {}

  /** Registers the next batch; returns the ack to attach to it. */
  begin(position: P): Ack {
    const seq = this.next++;
    this.open.set(seq, { position, done: false });
    return Ack.root((outcome) => this.settle(seq, outcome));
  }

  /** Batches registered but not yet committed. */
  get pending(): number {
    return this.open.size;
  }

  /** The last committed position, if any. */
  get committed(): P | undefined {
    return this.last;
  }

  get failed(): boolean {
    return this.failedAt !== undefined;
  }

  private settle(seq: number, outcome: AckOutcome): void {
    const entry = this.open.get(seq);
    if (entry === undefined) return;
    if (!outcome.ok) {
      if (this.failedAt === undefined || seq < this.failedAt) this.failedAt = seq;
      this.onFailure(entry.position, outcome.reason);
      return;
    }
    entry.done = true;
    let advanced: P | undefined;
    while (this.failedAt !== this.low) {
      const head = this.open.get(this.low);
      if (head === undefined || !head.done) break;
      this.open.delete(this.low);
      advanced = head.position;
      this.low += 1;
    }
    if (advanced !== undefined) {
      this.last = advanced;
      this.commit(advanced);
    }
  }
}
