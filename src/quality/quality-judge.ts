import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import type { QualityRow } from './quality-rows.js';
import type { QualityStore } from './quality-store.js';

export interface QualityJudgeOptions {
  /** How long after a window's end its deliveries may still arrive before a shortfall is a loss (default 5 min). */
  graceMs?: number;
  /** How often the counts are joined into quality rows (default 10 s). */
  everyMs?: number;
  /** How far back windows are joined again, so late deliveries still count (default 1 h). */
  lookbackMs?: number;
}

/**
 * Joins the hops' counts into quality rows every `everyMs`, and logs one alert line (and counts
 * it in {@link alerts}) for each stream window and sink whose deliveries stay below what the
 * gateway received after the grace period.
 */
export class QualityJudge {
  /** Alerts raised since start, for /metrics. */
  alerts = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    readonly store: QualityStore,
    private readonly sinksOf: () => Promise<ReadonlyMap<string, readonly string[]>>,
    private readonly log: Logger,
    readonly options: QualityJudgeOptions = {},
  ) {}

  get graceMs(): number {
    return this.options.graceMs ?? 300_000;
  }

  start(): void {
    const tick = (): void => {
      this.timer = setTimeout(() => {
        this.running = this.judge()
          .then(() => undefined)
          .catch((error: unknown) => this.log.warn({ err: errorMessage(error) }, 'cannot join the quality counts; trying again'))
          .finally(() => {
            if (this.timer !== undefined) tick();
          });
      }, this.options.everyMs ?? 10_000);
    };
    tick();
  }

  /** Joins the counts now; returns the rows newly alerted. */
  async judge(now = Date.now()): Promise<QualityRow[]> {
    const fresh = await this.store.refresh(await this.sinksOf(), now, this.graceMs, this.options.lookbackMs ?? 3_600_000);
    for (const r of fresh) {
      this.alerts += 1;
      this.log.warn(
        { stream: r.stream, window: new Date(r.windowStart).toISOString(), sink: r.sink, received: r.received, delivered: r.delivered, lost: r.lost, graceMs: this.graceMs },
        `quality alert: stream ${r.stream} window ${new Date(r.windowStart).toISOString()} sink ${r.sink}: ${r.delivered} of ${r.received} records delivered ${this.graceMs} ms after the window ended (${r.lost} lost); see millrace quality ${r.stream}`,
      );
    }
    return fresh;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
