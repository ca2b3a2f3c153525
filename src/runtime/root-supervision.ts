import type { SupervisorOptions } from '../actors/supervision/types.js';

/**
 * The root supervisor restarts a node whose own supervisor gave up; if that too happens more
 * than three times a minute, the run fails (exit code 1) instead of looping.
 */
export const rootSupervision: Omit<SupervisorOptions, 'onEvent'> = {
  strategy: 'one_for_one',
  intensity: { maxRestarts: 3, periodMs: 60_000 },
  backoff: { minMs: 500, maxMs: 30_000, jitter: 0.2, resetAfterMs: 60_000 },
};
