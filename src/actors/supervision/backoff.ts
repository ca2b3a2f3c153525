/** Parameters of {@link backoffDelay}. */
export interface BackoffParams {
  minMs: number;
  maxMs: number;
  jitter: number;
}

/**
 * Delay before restart number `attempt` (0-based count of consecutive
 * restarts): `min(maxMs, minMs * 2^attempt) * (1 + random() * jitter)`,
 * as Akka's `BackoffSupervisor` computes it. The jitter only ever lengthens
 * the delay, so the result lies in `[base, base * (1 + jitter))`.
 *
 * @param attempt - non-negative integer; 0 for the first restart.
 * @param random - returns a number in [0, 1).
 * @throws RangeError if `attempt` is negative or not an integer.
 * @example
 * backoffDelay(3, { minMs: 100, maxMs: 30_000, jitter: 0 }, Math.random); // 800
 */
export function backoffDelay(attempt: number, b: BackoffParams, random: () => number): number {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`backoff attempt must be a non-negative integer, got ${attempt}`);
  }
  // minMs * 2^attempt overflows to Infinity for large attempts; guard 0 * Infinity = NaN.
  const base = b.minMs <= 0 ? 0 : Math.min(b.maxMs, b.minMs * 2 ** attempt);
  return base * (1 + random() * b.jitter);
}
