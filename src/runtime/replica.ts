import type { Logger } from 'pino';
import { createActor, fromCallback, fromPromise, type Actor, type InspectionEvent } from 'xstate';
import { errorMessage } from '../core/errors.js';
import type { SharedResources } from '../core/shared-resources.js';
import { ActorFailed } from '../actors/actor-failed.js';
import type { ActorContext, Describable, SinkIO, SourceIO, StageIO } from '../actors/io.js';
import { lifecycleMachine, lifecycleState, type LifecycleEvent } from '../actors/lifecycle.js';
import type { DeadLetters } from '../actors/pump/dead-letters.js';
import type { Outputs } from '../actors/pump/outputs.js';
import { makePump } from '../actors/pump/replica-pump.js';
import type { ChildExit, ChildHandle } from '../actors/supervision/types.js';
import type { Channel } from '../streams/channel.js';
import type { NodeSpec } from '../topology/model.js';
import type { TransportConfig } from '../transport/schema.js';
import type { FileCheckpoint } from './checkpoint.js';
import type { NodeMetrics } from './node-metrics.js';
import { createThreadIO } from './thread-io.js';

export type LifecycleActor = Actor<typeof lifecycleMachine>;

/** How long a crashed replica's `close` may take before the restart goes on without it. */
const CLOSE_AFTER_CRASH_MS = 10_000;

/** Closes a crashed replica's I/O, giving up (with a warning) after `ms`: a hung close must not stall supervision. */
async function closeWithin(io: Describable & { close?(): Promise<void> }, ms: number, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const closed = Promise.resolve(io.close?.()).catch((error: unknown) => log.warn({ err: errorMessage(error) }, 'close after a crash failed'));
  if ((await Promise.race([closed, late])) === 'late') log.warn({ ms }, 'close after a crash did not finish in time; going on without it');
  clearTimeout(timer);
}

/** Everything one replica of a node is wired to. */
export interface ReplicaWiring {
  node: NodeSpec;
  replica: number;
  input: Channel | undefined;
  outputs: Outputs;
  consumers: readonly string[];
  transport: TransportConfig;
  deadLetters: DeadLetters;
  metrics: NodeMetrics;
  log: Logger;
  baseDir: string;
  stateDir: string;
  checkpoint: FileCheckpoint;
  /** The runtime's shared resources; this incarnation's leases are released when it ends. */
  shared: SharedResources;
  /** See PumpWiring.drainTimeoutMs. */
  drainTimeoutMs: () => number;
  inspect?: (event: InspectionEvent) => void;
  /** Told about every new actor incarnation, for status views. */
  onActor?: (replica: number, actor: LifecycleActor, io: Describable) => void;
}

/**
 * Starts one incarnation of a replica: creates the kind's I/O, wraps it in a lifecycle actor and
 * resolves once the actor has connected (or is backing off, or has already ended), so callers can
 * start sinks before sources. The returned handle is what the supervisor restarts.
 */
export async function startReplica(w: ReplicaWiring): Promise<ChildHandle> {
  const abort = new AbortController();
  const leases = w.shared.scope();
  const releaseLeases = (): Promise<void> =>
    leases.releaseAll().catch((error: unknown) => w.log.warn({ err: errorMessage(error) }, 'closing a shared resource failed'));
  const ctx: ActorContext = {
    id: w.node.id,
    replica: w.replica,
    replicas: w.node.replicas,
    log: w.log,
    baseDir: w.baseDir,
    stateDir: w.stateDir,
    checkpoint: w.checkpoint,
    signal: abort.signal,
    consumers: w.consumers,
    transport: w.transport,
    shared: leases.share,
  };
  const failed = (error: unknown): ActorFailed => (error instanceof ActorFailed ? error : new ActorFailed(w.node.kind.name, w.node.id, w.replica, error));
  let io: Describable & (SourceIO | StageIO | SinkIO);
  try {
    io = w.node.isolation === 'thread' ? await createThreadIO(w.node, ctx, w.checkpoint.file) : await w.node.kind.create(w.node.config as never, ctx);
  } catch (error) {
    const failure = failed(error);
    w.metrics.error(failure.message);
    w.log.error({ actor: w.node.id, replica: w.replica, err: errorMessage(error) }, 'actor could not start');
    await releaseLeases();
    throw failure;
  }
  // `send` is only called once the pump runs, after `actor` below exists.
  const send = (event: LifecycleEvent): void => {
    if (actor.getSnapshot().status === 'active') actor.send(event);
  };
  const pump = makePump(
    {
      actor: w.node.id,
      role: w.node.role,
      input: w.input,
      outputs: w.outputs,
      deadLetters: w.deadLetters,
      maxAttempts: w.node.retry.maxAttempts,
      drainTimeoutMs: w.drainTimeoutMs,
      counters: w.metrics,
      log: w.log,
    },
    io,
    send,
  );
  const machine = lifecycleMachine.provide({
    actors: {
      connect: fromPromise(async () => {
        await io.connect?.();
      }),
      pump: fromCallback(() => {
        pump.start();
        return undefined;
      }),
      drain: fromPromise(async () => {
        await pump.drain();
        await io.close?.();
      }),
    },
  });
  const actor: LifecycleActor = createActor(machine, {
    input: { id: w.node.id, kind: w.node.kind.name, role: w.node.role, replica: w.replica, backoff: w.node.supervision.backoff },
    inspect: w.inspect,
  });
  w.onActor?.(w.replica, actor, io);
  const exited = new Promise<ChildExit>((resolve) => {
    actor.subscribe({
      complete: () => resolve(actor.getSnapshot().output ?? { reason: 'normal' }),
      error: (error) => resolve({ reason: 'error', error }),
    });
  }).then(async (ended): Promise<ChildExit> => {
    abort.abort();
    const exit: ChildExit = ended.reason === 'error' ? { reason: 'error', error: failed(ended.error) } : ended;
    if (exit.reason === 'error') {
      const message = errorMessage(exit.error);
      w.metrics.error(message);
      w.log.error({ actor: w.node.id, replica: w.replica, err: message }, 'actor failed');
      pump.abandon();
      await closeWithin(io, CLOSE_AFTER_CRASH_MS, w.log);
    }
    await releaseLeases();
    return exit;
  });
  const ready = new Promise<void>((resolve) => {
    const sub = actor.subscribe((snapshot) => {
      if (lifecycleState(snapshot) !== 'connecting' && lifecycleState(snapshot) !== 'idle') {
        sub.unsubscribe();
        resolve();
      }
    });
    void exited.then(() => resolve());
  });
  actor.start();
  actor.send({ type: 'START' });
  await ready;
  return {
    exited,
    async stop() {
      send({ type: 'STOP' });
      await exited;
    },
  };
}
