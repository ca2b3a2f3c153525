/** A stream's allowance: `burst` records at once, `recordsPerSecond` on average. */
export interface Rate {
  recordsPerSecond: number;
  burst: number;
}

/**
 * Records a stream may send now: `burst` at most, refilled at `recordsPerSecond`. A batch larger
 * than the bucket takes a full bucket (so a big batch is slowed, never stuck).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: Rate,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = rate.burst;
    this.last = now();
  }

  /** Milliseconds until `count` records may go (0: now). */
  waitMs(count: number): number {
    this.refill();
    const need = Math.min(count, this.rate.burst);
    return this.tokens >= need ? 0 : Math.ceil(((need - this.tokens) * 1000) / this.rate.recordsPerSecond);
  }

  /** Takes `count` records' worth (call when {@link waitMs} is 0); the bucket may go negative for an oversized batch. */
  take(count: number): void {
    this.refill();
    this.tokens -= count;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((t - this.last) * this.rate.recordsPerSecond) / 1000);
    this.last = t;
  }
}
