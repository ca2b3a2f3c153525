import { Ring } from './ring.js';
import type { RatesView } from './types.js';

/** The cumulative counters rates are computed from. */
export interface Counters {
  recordsIn: number;
  recordsOut: number;
  bytesIn: number;
  bytesOut: number;
}

interface Sample {
  ts: number;
  counters: Map<string, Counters>;
}

const zero: Counters = { recordsIn: 0, recordsOut: 0, bytesIn: 0, bytesOut: 0 };

/**
 * Rates over a sliding window from periodic samples of cumulative counters: nothing is counted
 * per record, the inspector samples the actors' counters once a second. Keeps a minute of samples
 * for sparklines.
 *
 * @example
 * const rates = new RateWindow(10_000);
 * rates.sample(counters, Date.now()); // every second
 * rates.rates('parse', current, Date.now()).recordsOut; // records/s over the last 10 s
 */
export class RateWindow {
  private readonly samples = new Ring<Sample>(61);

  constructor(readonly windowMs = 10_000) {}

  /** Takes a sample of every actor's counters (copied). */
  sample(counters: ReadonlyMap<string, Counters>, now: number): void {
    const copy = new Map<string, Counters>();
    for (const [id, c] of counters) copy.set(id, { recordsIn: c.recordsIn, recordsOut: c.recordsOut, bytesIn: c.bytesIn, bytesOut: c.bytesOut });
    this.samples.push({ ts: now, counters: copy });
  }

  /** Per-second rates of one actor between the oldest sample inside the window and `current`. */
  rates(actor: string, current: Counters, now: number): RatesView {
    const samples = this.samples.toArray();
    const base = samples.find((s) => s.ts >= now - this.windowMs) ?? samples[samples.length - 1];
    const windowMs = base === undefined ? 0 : now - base.ts;
    if (base === undefined || windowMs <= 0) return { windowMs: 0, recordsIn: 0, recordsOut: 0, bytesIn: 0, bytesOut: 0 };
    const b = base.counters.get(actor) ?? zero;
    const per = (n: number): number => Math.round((n * 1000 * 10) / windowMs) / 10;
    return {
      windowMs,
      recordsIn: per(current.recordsIn - b.recordsIn),
      recordsOut: per(current.recordsOut - b.recordsOut),
      bytesIn: per(current.bytesIn - b.bytesIn),
      bytesOut: per(current.bytesOut - b.bytesOut),
    };
  }

  /** Records per second between consecutive samples of the last minute, oldest first. */
  history(actor: string): { recordsIn: number[]; recordsOut: number[] } {
    const samples = this.samples.toArray();
    const recordsIn: number[] = [];
    const recordsOut: number[] = [];
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1] as Sample;
      const b = samples[i] as Sample;
      const seconds = Math.max(0.001, (b.ts - a.ts) / 1000);
      const ca = a.counters.get(actor) ?? zero;
      const cb = b.counters.get(actor) ?? zero;
      recordsIn.push(Math.round((cb.recordsIn - ca.recordsIn) / seconds));
      recordsOut.push(Math.round((cb.recordsOut - ca.recordsOut) / seconds));
    }
    return { recordsIn, recordsOut };
  }
}
