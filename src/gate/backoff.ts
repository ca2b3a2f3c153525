/**
 * Wait before attempt `attempt + 1` of a batch: uniform in [0, min(maxMs, initialMs * 2^attempt)]
 * ("full jitter", so agents that failed together do not retry together), and never shorter than
 * the gateway's `retry-after-ms`.
 */
export function retryDelay(attempt: number, b: { initialMs: number; maxMs: number }, retryAfterMs = 0, random: () => number = Math.random): number {
  const bound = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(attempt, 30));
  return Math.max(retryAfterMs, Math.floor(random() * bound));
}
