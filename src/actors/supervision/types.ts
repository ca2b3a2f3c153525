/**
 * Core types of the supervision module. Children are anything that can be
 * started and whose exit can be awaited (XState actors wrapped by the actor
 * layer, nested supervisors, plain async tasks in tests).
 */

/**
 * When a child is restarted after it exits (OTP `restart` / Akka policy):
 * - `permanent`: always restarted, whatever the exit reason;
 * - `transient`: restarted only after an abnormal exit (`reason: 'error'`);
 * - `temporary`: never restarted.
 */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/**
 * Which children are restarted when one of them has to be (OTP strategies):
 * - `one_for_one`: only the failed child;
 * - `one_for_all`: every child (the others are stopped in reverse order first);
 * - `rest_for_one`: the failed child and the children after it in start order.
 */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

/** How a child ended. `error` is the only abnormal reason. */
export interface ChildExit {
  reason: 'normal' | 'error' | 'shutdown';
  error?: unknown;
}

/** A running child. */
export interface ChildHandle {
  /** Settles once, when the child has ended (a rejection counts as `reason: 'error'`). */
  readonly exited: Promise<ChildExit>;
  /** Graceful stop; `exited` then resolves with `reason: 'shutdown'` (or whatever the child reports). */
  stop(): Promise<void>;
}

/** How to start one child. `id` must be unique within its supervisor. */
export interface ChildSpec {
  id: string;
  restart: RestartType;
  /** Starts the child; a rejection (or a synchronous throw) counts as a crash. */
  start(): Promise<ChildHandle>;
}

/** Restart intensity: more than `maxRestarts` restarts within `periodMs` escalates. */
export interface IntensityOptions {
  maxRestarts: number;
  periodMs: number;
}

/** Exponential backoff before restarts, see {@link backoffDelay}. */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  jitter: number;
  /** A child that ran this long without failing starts its backoff again from attempt 0. */
  resetAfterMs: number;
}

/** Constructor options of a `Supervisor`. A parsed `SupervisionConfig` is assignable to it. */
export interface SupervisorOptions {
  strategy: Strategy;
  intensity: IntensityOptions;
  backoff: BackoffOptions;
  /** Source of randomness for jitter, in [0, 1). Defaults to `Math.random`. */
  random?: () => number;
  /** Observer of lifecycle events. Exceptions thrown by it are ignored. */
  onEvent?: (e: SupervisorEvent) => void;
}

/** Lifecycle events reported through `SupervisorOptions.onEvent`. */
export type SupervisorEvent =
  | { type: 'child.started'; supervisor: string; child: string; attempt: number }
  | { type: 'child.exited'; supervisor: string; child: string; exit: ChildExit }
  | {
      type: 'child.restart.scheduled';
      supervisor: string;
      child: string;
      delayMs: number;
      restarts: number;
    }
  /** Giving up: about to stop every child, then exit with `error`. */
  | { type: 'supervisor.escalating'; supervisor: string; error: unknown }
  | { type: 'supervisor.escalated'; supervisor: string; error: unknown }
  | { type: 'supervisor.stopped'; supervisor: string };
