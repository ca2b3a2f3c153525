import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../../src/core/errors.js';

export interface EventuallyOptions {
  /** What is awaited, for the timeout's message: `the first 20 files`. */
  what: string;
  /** Deadline; generous by default, since CI machines are loaded (default 15 s). */
  timeoutMs?: number;
  /** Pause between checks (default 20 ms). */
  intervalMs?: number;
}

/**
 * Polls `check` until it passes: returns a value other than `false` or `undefined` without
 * throwing (so both a condition and an `expect` work). Resolves with that value; after
 * `timeoutMs` rejects naming `what` and the last failure.
 *
 * @example
 * await eventually(() => got.length >= 3, { what: 'three lines', timeoutMs: 10_000 });
 * const body = await eventually(async () => (await fetch(url)).ok && 'up', { what: 'the server' });
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: EventuallyOptions,
): Promise<Exclude<T, false | undefined>> {
  const { what, timeoutMs = 15_000, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: string;
    try {
      const value = await check();
      if (value !== false && value !== undefined) return value as Exclude<T, false | undefined>;
      failure = `the check returned ${String(value)}`;
    } catch (error) {
      failure = `the check threw: ${errorMessage(error)}`;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${failure})`);
    await sleep(intervalMs);
  }
}
