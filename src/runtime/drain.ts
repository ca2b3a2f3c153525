import type { Logger } from 'pino';
import type { Channel } from '../streams/channel.js';
import { drainSchema, type DrainConfig } from '../topology/drain-schema.js';

/** The settings of a topology without a `drain:` section. */
export const defaultDrain: DrainConfig = drainSchema.parse({});

/** A stop that did not finish draining within `drain.deadlineMs`. */
export class DrainDeadlineExceeded extends Error {
  constructor(
    readonly deadlineMs: number,
    readonly recordsLeft: number,
  ) {
    super(`drain deadline of ${deadlineMs} ms passed with ${recordsLeft} records still queued or in flight: stopped without them; they are read again on the next run`);
    this.name = 'DrainDeadlineExceeded';
  }
}

/** Records queued or in flight per channel, for those that hold any. */
export function recordsLeft(channels: ReadonlyMap<string, Channel>): Record<string, number> {
  const left: Record<string, number> = {};
  for (const [id, channel] of channels) if (channel.stats.depthRecords > 0) left[id] = channel.stats.depthRecords;
  return left;
}

/**
 * Logs what is left to drain every `everyMs` until the returned function is called, so a slow
 * drain is never silent.
 */
export function logDrainProgress(channels: ReadonlyMap<string, Channel>, everyMs: number, log: Logger): () => void {
  const started = Date.now();
  const timer = setInterval(() => {
    const left = recordsLeft(channels);
    const total = Object.values(left).reduce((a, b) => a + b, 0);
    log.info({ drainingMs: Date.now() - started, records: total, channels: left }, `draining: ${total} records left`);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
