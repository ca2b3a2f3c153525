/** When the breaker opens, and how it closes again. */
export interface BreakerSettings {
  /** Opens when failures / calls in the window reach this (0..1)... */
  failureRate: number;
  /** ...and the window holds at least this many calls. */
  minCalls: number;
  /** How long it stays open before it lets probe calls through (half-open). */
  openMs: number;
  /** Successful probe calls in a row that close it; one failed probe opens it again. */
  halfOpenCalls: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** One change of state, for status views. */
export interface BreakerTransition {
  from: BreakerState;
  to: BreakerState;
  at: number;
  reason: string;
}

/** Buckets of the sliding window, one second each: failures are counted over the last ten seconds. */
export const WINDOW_BUCKETS = 10;
export const BUCKET_MS = 1000;
const KEPT_TRANSITIONS = 20;

/**
 * Counts per one-second bucket over the last {@link WINDOW_BUCKETS} seconds: a ring indexed by
 * the bucket's second, each slot remembering which second it holds (a stale slot reads as empty).
 */
export class SlidingWindow {
  private readonly second = new Float64Array(WINDOW_BUCKETS).fill(-1);
  private readonly counts: Float64Array[];

  constructor(readonly fields: number) {
    this.counts = Array.from({ length: fields }, () => new Float64Array(WINDOW_BUCKETS));
  }

  add(field: number, n: number, now: number): void {
    const s = Math.floor(now / BUCKET_MS);
    const i = s % WINDOW_BUCKETS;
    if (this.second[i] !== s) {
      this.second[i] = s;
      for (const c of this.counts) c[i] = 0;
    }
    this.counts[field]![i]! += n;
  }

  /** The sum of `field` over the buckets of the last ten seconds (this one included). */
  sum(field: number, now: number): number {
    const s = Math.floor(now / BUCKET_MS);
    let total = 0;
    for (let i = 0; i < WINDOW_BUCKETS; i++) {
      const at = this.second[i]!;
      if (at > s - WINDOW_BUCKETS && at <= s) total += this.counts[field]![i]!;
    }
    return total;
  }

  clear(): void {
    this.second.fill(-1);
  }
}

const CALLS = 0;
const FAILURES = 1;

/**
 * A circuit breaker over one Kafka cluster. Closed: calls go through and their outcomes are
 * counted in a sliding window of ten one-second buckets; when the window holds `minCalls` calls
 * and `failureRate` of them failed, it opens. Open: calls do not go to the cluster; after
 * `openMs` it is half-open: up to `halfOpenCalls` probe calls go through at once; that many
 * successes close it (with an empty window), one failure opens it again.
 *
 * @example
 * const breaker = new CircuitBreaker({ failureRate: 0.5, minCalls: 10, openMs: 5000, halfOpenCalls: 3 });
 * if (breaker.allows()) breaker.record(await send().then(() => true, () => false));
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private readonly window = new SlidingWindow(2);
  private openedAt = 0;
  private probesInFlight = 0;
  private probesOk = 0;
  private readonly log: BreakerTransition[] = [];
  private changes = 0;
  private readonly listeners = new Set<(t: BreakerTransition) => void>();

  constructor(
    private readonly settings: BreakerSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** The state now (open turns half-open once `openMs` has passed). */
  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.settings.openMs) this.move('half-open', `open for ${this.settings.openMs} ms: probing`);
    return this.current;
  }

  /** Whether a call may go to the cluster now; in half-open it takes one of the probe places (give it back with {@link record}). */
  allows(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probesInFlight >= this.settings.halfOpenCalls - this.probesOk) return false;
    this.probesInFlight += 1;
    return true;
  }

  /** The outcome of a call to the cluster (in half-open, of a call {@link allows} let through). */
  record(ok: boolean, reason = 'a call failed'): void {
    const state = this.state;
    const now = this.now();
    if (state === 'half-open') {
      this.probesInFlight = Math.max(0, this.probesInFlight - 1);
      if (!ok) return this.move('open', `a probe failed: ${reason}`);
      if (++this.probesOk >= this.settings.halfOpenCalls) this.move('closed', `${this.probesOk} probes succeeded`);
      return;
    }
    // Outcomes of calls that began before the breaker opened are not counted again.
    if (state === 'open') return;
    this.window.add(CALLS, 1, now);
    if (!ok) this.window.add(FAILURES, 1, now);
    const calls = this.window.sum(CALLS, now);
    const failures = this.window.sum(FAILURES, now);
    if (calls >= this.settings.minCalls && failures / calls >= this.settings.failureRate) {
      this.move('open', `${failures} of ${calls} calls failed in ${WINDOW_BUCKETS} s (last: ${reason})`);
    }
  }

  /** Opens it now, whatever the window holds (the cluster could not be reached at all). */
  trip(reason: string): void {
    if (this.current !== 'open') this.move('open', reason);
  }

  /** Failed share of the calls in the window (0 when it holds none). */
  failureRate(): number {
    const now = this.now();
    const calls = this.window.sum(CALLS, now);
    return calls === 0 ? 0 : this.window.sum(FAILURES, now) / calls;
  }

  /** Calls the listener on every change of state. */
  onTransition(listener: (t: BreakerTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last changes of state, oldest first, and how many there were in all. */
  transitions(): { count: number; last: readonly BreakerTransition[] } {
    return { count: this.changes, last: this.log };
  }

  private move(to: BreakerState, reason: string): void {
    const t: BreakerTransition = { from: this.current, to, at: this.now(), reason };
    this.current = to;
    this.probesInFlight = 0;
    this.probesOk = 0;
    if (to === 'open') this.openedAt = t.at;
    if (to === 'closed') this.window.clear();
    this.changes += 1;
    this.log.push(t);
    if (this.log.length > KEPT_TRANSITIONS) this.log.shift();
    for (const listener of this.listeners) listener(t);
  }
}
