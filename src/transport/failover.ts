import { errorMessage } from '../core/errors.js';
import type { Json } from '../streams/record.js';
import { CircuitBreaker, SlidingWindow, type BreakerState } from './circuit-breaker.js';

/** Where a write can go: one cluster's producers. */
export interface WriteLane<P> {
  write(parts: readonly P[]): Promise<void>;
}

/** How writes move to the secondary cluster and back. */
export interface FailoverSettings {
  maxShare: number;
  callTimeoutMs: number;
  waitMs: number;
}

const OFFERED = 0;
const MOVED = 1;
const STATE_NUMBER: Record<BreakerState, number> = { closed: 0, open: 1, 'half-open': 2 };

/**
 * Writes to the primary cluster through a {@link CircuitBreaker}, and to the secondary while it
 * is open. Calls are writes: acknowledged by the primary (success), failed, or unacknowledged for
 * `callTimeoutMs` (a failure, again each `callTimeoutMs` it waits: a stopped cluster makes sends
 * hang in reconnects rather than fail). When the breaker opens, writes waiting on the primary move
 * to the secondary; the primary's sends of them go on, and those it acknowledges later are counted
 * as `duplicates` (in both clusters). The secondary takes at most `maxShare` of the records offered
 * in the last ten seconds; a write beyond it waits `waitMs` and is offered again. Nothing is dropped:
 * a write resolves only when one cluster has acknowledged all of it.
 *
 * @example
 * const failover = new Failover(primaryLane, secondaryLane, breaker, { maxShare: 0.5, callTimeoutMs: 1000, waitMs: 100 });
 * await failover.write(parts, count);
 */
export class Failover<P> {
  private readonly share = new SlidingWindow(2);
  private opened!: Promise<'moved'>;
  private signalOpened!: () => void;
  private recordsToSecondary = 0;
  private duplicates = 0;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly primary: WriteLane<P>,
    private readonly secondary: WriteLane<P>,
    readonly breaker: CircuitBreaker,
    private readonly settings: FailoverSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.arm();
    this.unsubscribe = breaker.onTransition((t) => {
      if (t.to !== 'open') return;
      this.signalOpened();
      this.arm();
    });
  }

  /** Resolves once the primary or the secondary has acknowledged every record of `parts` (`records` of them). */
  async write(parts: readonly P[], records: number): Promise<void> {
    for (;;) {
      this.share.add(OFFERED, records, this.now());
      if (this.breaker.allows() && (await this.viaPrimary(parts, records)) === 'acked') return;
      if (this.secondaryHasRoom(records)) {
        // Counted before the write: writes in flight side by side must not all pass the cap at once.
        this.share.add(MOVED, records, this.now());
        await this.secondary.write(parts);
        this.recordsToSecondary += records;
        return;
      }
      if (this.closed) throw new Error('kafka sink closed while a write waited for the secondary cluster');
      await new Promise((r) => setTimeout(r, this.settings.waitMs));
    }
  }

  /** Tells the breaker the primary could not be reached at all (at connect). */
  unreachable(error: unknown): void {
    this.breaker.record(false, errorMessage(error));
  }

  /** Stops listening to the breaker, which may be shared and outlive this router. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
  }

  status(): { [k: string]: Json } {
    const now = this.now();
    const offered = this.share.sum(OFFERED, now);
    const { count, last } = this.breaker.transitions();
    return {
      breaker: this.breaker.state,
      breakerState: STATE_NUMBER[this.breaker.state],
      breakerFailureRate: Math.round(this.breaker.failureRate() * 1000) / 1000,
      breakerTransitions: count,
      transitions: last.map((t) => ({ from: t.from, to: t.to, at: new Date(t.at).toISOString(), reason: t.reason })),
      recordsToSecondary: this.recordsToSecondary,
      secondaryShare: offered === 0 ? 0 : Math.round((this.share.sum(MOVED, now) / offered) * 1000) / 1000,
      duplicates: this.duplicates,
    };
  }

  /** 'acked' by the primary, or 'moved': the breaker is open (now or after this write failed), so try the secondary. */
  private async viaPrimary(parts: readonly P[], records: number): Promise<'acked' | 'moved'> {
    const write = this.primary.write(parts);
    const outcome = write.then(
      () => 'acked' as const,
      (error: unknown) => ({ error }),
    );
    let waited = 0;
    const stall = setInterval(() => {
      waited += this.settings.callTimeoutMs;
      this.breaker.record(false, `no acknowledgement from the primary cluster for ${waited} ms`);
    }, this.settings.callTimeoutMs);
    try {
      const result = await Promise.race([outcome, this.opened]);
      if (result === 'acked') {
        this.breaker.record(true);
        return 'acked';
      }
      if (result === 'moved') {
        void outcome.then((late) => {
          if (late === 'acked') this.duplicates += records;
        });
        return 'moved';
      }
      this.breaker.record(false, errorMessage(result.error));
      if (this.breaker.state === 'closed') throw result.error;
      return 'moved';
    } finally {
      clearInterval(stall);
    }
  }

  private secondaryHasRoom(records: number): boolean {
    const now = this.now();
    return this.share.sum(MOVED, now) + records <= this.settings.maxShare * this.share.sum(OFFERED, now);
  }

  private arm(): void {
    this.opened = new Promise((resolve) => (this.signalOpened = () => resolve('moved')));
  }
}
