import type { Logger } from 'pino';
import { createActor, fromCallback, fromPromise, type Actor, type InspectionEvent } from 'xstate';
import { errorMessage } from '../core/errors.js';
import type { ActorContext, Describable, SinkIO, SourceIO, StageIO, StageOutput } from '../actors/io.js';
import { lifecycleMachine, lifecycleState, type LifecycleEvent } from '../actors/lifecycle.js';
import { ConsumePump, type BatchHandler } from '../actors/pump/consume-pump.js';
import type { DeadLetters } from '../actors/pump/dead-letters.js';
import type { BlockListener, Outputs } from '../actors/pump/outputs.js';
import { pauseReporter } from '../actors/pump/pause-reporter.js';
import { SourcePump } from '../actors/pump/source-pump.js';
import type { ChildExit, ChildHandle } from '../actors/supervision/types.js';
import type { Ack } from '../streams/ack.js';
import type { Batch } from '../streams/batch.js';
import type { Channel } from '../streams/channel.js';
import type { NodeSpec } from '../topology/model.js';
import type { TransportConfig } from '../transport/schema.js';
import type { FileCheckpoint } from './checkpoint.js';
import type { NodeMetrics } from './node-metrics.js';
import { createThreadIO } from './thread-io.js';

export type LifecycleActor = Actor<typeof lifecycleMachine>;

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
  drainTimeoutMs: number;
  inspect?: (event: InspectionEvent) => void;
  /** Told about every new actor incarnation, for status views. */
  onActor?: (replica: number, actor: LifecycleActor, io: Describable) => void;
}

interface Pump {
  start(send: (e: LifecycleEvent) => void): void;
  drain(): Promise<void>;
  /** Best-effort cleanup after a crash. */
  abandon(): void;
}

/**
 * Starts one incarnation of a replica: creates the kind's I/O, wraps it in a lifecycle actor and
 * resolves once the actor has connected (or is backing off, or has already ended), so callers can
 * start sinks before sources. The returned handle is what the supervisor restarts.
 */
export async function startReplica(w: ReplicaWiring): Promise<ChildHandle> {
  const abort = new AbortController();
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
  };
  const io = w.node.isolation === 'thread' ? await createThreadIO(w.node, ctx, w.checkpoint.file) : await w.node.kind.create(w.node.config as never, ctx);
  // `send` is only called once the pump runs, after `actor` below exists.
  const send = (event: LifecycleEvent): void => {
    if (actor.getSnapshot().status === 'active') actor.send(event);
  };
  const pump = makePump(w, io, send);
  const machine = lifecycleMachine.provide({
    actors: {
      connect: fromPromise(async () => {
        await io.connect?.();
      }),
      pump: fromCallback(() => {
        pump.start(send);
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
  }).then(async (exit) => {
    abort.abort();
    if (exit.reason === 'error') {
      const message = errorMessage(exit.error);
      w.metrics.error(message);
      w.log.error({ actor: w.node.id, replica: w.replica, err: message }, 'actor failed');
      pump.abandon();
      await Promise.resolve(io.close?.()).catch(() => undefined);
    }
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

function makePump(w: ReplicaWiring, io: SourceIO | StageIO | SinkIO, send: (e: LifecycleEvent) => void): Pump {
  const listener = pauseReporter(send);
  if (w.node.role === 'source') {
    const source = new SourcePump(w.node.id, io as SourceIO, w.outputs, w.deadLetters, send);
    return {
      start: () => source.start(),
      drain: async () => {
        source.stop();
        const left = await source.settle(w.drainTimeoutMs);
        if (left > 0) w.log.warn({ actor: w.node.id, batches: left }, 'stopped with unacknowledged batches; they will be read again');
        source.retire();
      },
      abandon: () => {
        source.stop();
        source.retire();
      },
    };
  }
  const handle: BatchHandler = w.node.role === 'stage' ? stageHandler(w, io as StageIO, listener) : sinkHandler(w, io as SinkIO);
  const consume = new ConsumePump({
    actor: w.node.id,
    input: w.input as Channel,
    // Stages keep their output order with one batch at a time; a sink may ask for more.
    concurrency: w.node.role === 'sink' ? Math.max(1, (io as SinkIO).writesInFlight ?? 1) : 1,
    maxAttempts: w.node.retry.maxAttempts,
    deadLetters: w.deadLetters,
    handle: async (batch) => {
      if (batch.redelivered !== true) {
        w.metrics.recordsIn += batch.records.length;
        w.metrics.bytesIn += batch.bytes;
      }
      await handle(batch);
    },
    send,
  });
  return {
    start: () => consume.start(),
    drain: async () => {
      consume.stop();
      await consume.settle();
    },
    abandon: () => consume.stop(),
  };
}

function stageHandler(w: ReplicaWiring, io: StageIO, listener: BlockListener): BatchHandler {
  const sendPiece = async (out: StageOutput, ack: Ack, position: string): Promise<void> => {
    const dead = out.dead ?? [];
    const [pass, reject] = (dead.length === 0 ? [ack] : ack.fork(2)) as [Ack, Ack | undefined];
    const sent =
      'partitions' in out
        ? w.outputs.sendPartitioned(out.partitions, pass, position, listener)
        : w.outputs.send(out.records, pass, position, listener);
    await Promise.all([sent, reject && w.deadLetters.send(w.node.id, position, dead, reject)]);
  };
  return async (batch: Batch) => {
    const out = io.process(batch);
    if (!isAsyncIterable(out)) {
      await sendPiece(await out, batch.ack, batch.position);
      return;
    }
    // If the stream throws midway, the split is never sealed: the batch is redelivered and its
    // pieces already sent are delivered again (at-least-once).
    const split = batch.ack.openSplit();
    for await (const piece of out) await sendPiece(piece, split.child(), batch.position);
    split.seal();
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<StageOutput> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function sinkHandler(w: ReplicaWiring, io: SinkIO): BatchHandler {
  return async (batch: Batch) => {
    const result = await io.write(batch);
    const dead = result?.dead ?? [];
    if (dead.length === 0) {
      batch.ack.done();
      return;
    }
    const [stored, reject] = batch.ack.fork(2) as [Ack, Ack];
    stored.done();
    await w.deadLetters.send(w.node.id, batch.position, dead, reject);
  };
}
