import type { LifecycleEvent } from '../lifecycle.js';
import type { BlockListener } from './outputs.js';

/** Waits shorter than this are the ordinary rhythm of a full pipeline, not a pause. */
export const PAUSE_AFTER_MS = 20;

/**
 * Turns waits for downstream capacity into `BLOCKED`/`UNBLOCKED` lifecycle events, with
 * hysteresis: only a wait longer than {@link PAUSE_AFTER_MS} moves the actor to `paused`. In a
 * saturated pipeline every offer waits a little; reporting each of those would cost an XState
 * transition per batch per hop and make the inspector flicker.
 */
export function pauseReporter(send: (event: LifecycleEvent) => void): BlockListener {
  let timer: NodeJS.Timeout | undefined;
  let paused = false;
  return {
    blocked() {
      if (timer !== undefined || paused) return;
      timer = setTimeout(() => {
        timer = undefined;
        paused = true;
        send({ type: 'BLOCKED' });
      }, PAUSE_AFTER_MS);
    },
    unblocked() {
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      if (paused) {
        paused = false;
        send({ type: 'UNBLOCKED' });
      }
    },
  };
}
