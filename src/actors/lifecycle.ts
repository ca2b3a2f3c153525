import { assign, fromCallback, fromPromise, setup, type SnapshotFrom } from 'xstate';
import type { ChildExit } from './supervision/types.js';
import { backoffDelay } from './supervision/backoff.js';
import { NotConnected, errorMessage } from '../core/errors.js';
import type { Role } from './kind.js';

/** Events the data pump and the runtime send to a lifecycle actor. */
export type LifecycleEvent =
  | { type: 'START' }
  | { type: 'STOP' }
  | { type: 'BLOCKED' }
  | { type: 'UNBLOCKED' }
  | { type: 'END_OF_INPUT' }
  | { type: 'DISCONNECTED'; error: string }
  | { type: 'CRASHED'; error: string };

export interface LifecycleInput {
  id: string;
  kind: string;
  role: Role;
  replica: number;
  backoff: { minMs: number; maxMs: number; jitter: number };
}

export interface LifecycleContext extends LifecycleInput {
  /** Consecutive failed connects since the last success. */
  attempt: number;
  lastError: string | undefined;
  exit: ChildExit;
}

/**
 * The lifecycle every actor kind shares:
 * `idle → connecting → online(running ⇄ paused) → draining → stopped`, with `backoff` between
 * failed connects (or after a lost connection) and `failed` on any other error.
 *
 * The machine decides *whether* data flows; the `pump` it invokes while online moves batches
 * through channels and reports back only state changes (blocked, end of input, errors), never
 * one event per record. `connect`, `pump` and `drain` are provided per actor with `.provide()`.
 * `stopped` and `failed` are final: the supervisor reads the exit from the actor's output and
 * starts a new actor for a restart (XState actors cannot be restarted).
 */
export const lifecycleMachine = setup({
  types: {
    context: {} as LifecycleContext,
    input: {} as LifecycleInput,
    events: {} as LifecycleEvent,
    output: {} as ChildExit,
  },
  actors: {
    connect: fromPromise<void>(async () => undefined),
    pump: fromCallback<LifecycleEvent>(() => undefined),
    drain: fromPromise<void>(async () => undefined),
  },
  delays: {
    reconnect: ({ context }) => backoffDelay(Math.max(0, context.attempt - 1), context.backoff, Math.random),
  },
  guards: {
    notConnected: ({ event }) => (event as { error?: unknown }).error instanceof NotConnected,
  },
  actions: {
    recordConnectError: assign({
      attempt: ({ context }) => context.attempt + 1,
      lastError: ({ event }) => ('error' in event ? errorMessage(event.error) : undefined),
    }),
    recordLostConnection: assign({
      attempt: ({ context }) => context.attempt + 1,
      lastError: ({ event }) => (event.type === 'DISCONNECTED' ? event.error : undefined),
    }),
    recordCrash: assign({
      lastError: ({ event }) => ('error' in event ? errorMessage(event.error) : undefined),
      exit: ({ event }) => ({ reason: 'error' as const, error: 'error' in event ? event.error : undefined }),
    }),
    exitNormal: assign({ exit: { reason: 'normal' as const } }),
    exitShutdown: assign({ exit: { reason: 'shutdown' as const } }),
  },
}).createMachine({
  id: 'lifecycle',
  initial: 'idle',
  context: ({ input }) => ({ ...input, attempt: 0, lastError: undefined, exit: { reason: 'normal' } }),
  output: ({ context }) => context.exit,
  states: {
    idle: {
      on: { START: 'connecting', STOP: { target: 'stopped', actions: 'exitShutdown' } },
    },
    connecting: {
      invoke: {
        src: 'connect',
        onDone: { target: 'online', actions: assign({ attempt: 0 }) },
        onError: [
          { guard: 'notConnected', target: 'backoff', actions: 'recordConnectError' },
          { target: 'failed', actions: 'recordCrash' },
        ],
      },
      on: { STOP: { target: 'draining', actions: 'exitShutdown' } },
    },
    backoff: {
      after: { reconnect: 'connecting' },
      on: { STOP: { target: 'draining', actions: 'exitShutdown' } },
    },
    online: {
      invoke: { src: 'pump' },
      initial: 'running',
      states: {
        running: { on: { BLOCKED: 'paused' } },
        paused: { on: { UNBLOCKED: 'running' } },
      },
      on: {
        END_OF_INPUT: { target: 'draining', actions: 'exitNormal' },
        STOP: { target: 'draining', actions: 'exitShutdown' },
        DISCONNECTED: { target: 'backoff', actions: 'recordLostConnection' },
        CRASHED: { target: 'failed', actions: 'recordCrash' },
      },
    },
    draining: {
      invoke: {
        src: 'drain',
        onDone: 'stopped',
        onError: { target: 'failed', actions: 'recordCrash' },
      },
      on: { CRASHED: { target: 'failed', actions: 'recordCrash' } },
    },
    stopped: { type: 'final' },
    failed: { type: 'final' },
  },
});

export type LifecycleSnapshot = SnapshotFrom<typeof lifecycleMachine>;

/** The flat state name shown to users: idle, connecting, running, paused, backoff, draining, stopped, failed. */
export function lifecycleState(snapshot: LifecycleSnapshot): string {
  const value = snapshot.value;
  if (typeof value === 'string') return value;
  return Object.values(value)[0] as string;
}
