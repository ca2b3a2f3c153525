import type { Logger } from 'pino';
import type { Channel } from '../../streams/channel.js';
import type { SinkIO, SourceIO, StageIO } from '../io.js';
import type { Role } from '../kind.js';
import type { LifecycleEvent } from '../lifecycle.js';
import { ConsumePump, type BatchHandler } from './consume-pump.js';
import type { DeadLetters } from './dead-letters.js';
import { sinkHandler, stageHandler } from './handlers.js';
import type { Outputs } from './outputs.js';
import { pauseReporter } from './pause-reporter.js';
import { SourcePump } from './source-pump.js';

/** Everything a replica's pump is wired to. */
export interface PumpWiring {
  actor: string;
  role: Role;
  /** The node's input channel; absent for sources. */
  input: Channel | undefined;
  outputs: Outputs;
  deadLetters: DeadLetters;
  /** Deliveries of a failing batch before it is dead-lettered. */
  maxAttempts: number;
  /** How long a stopping source waits for its in-flight batches to be acknowledged; read while it waits. */
  drainTimeoutMs: () => number;
  /** The node's input counters, shared by its replicas. */
  counters: { recordsIn: number; bytesIn: number };
  log: Logger;
}

/** Moves one replica's batches; the lifecycle actor starts, drains and abandons it. */
export interface Pump {
  start(): void;
  drain(): Promise<void>;
  /** Best-effort cleanup after a crash. */
  abandon(): void;
}

/** The pump for a replica's role: a source pump, or a consume pump over the stage or sink handler. */
export function makePump(w: PumpWiring, io: SourceIO | StageIO | SinkIO, send: (e: LifecycleEvent) => void): Pump {
  if (w.role === 'source') {
    const source = new SourcePump(w.actor, io as SourceIO, w.outputs, w.deadLetters, send);
    return {
      start: () => source.start(),
      drain: async () => {
        source.stop();
        const left = await source.settle(w.drainTimeoutMs);
        if (left > 0) w.log.warn({ actor: w.actor, batches: left }, 'stopped with unacknowledged batches; they will be read again');
        source.retire();
      },
      abandon: () => {
        source.stop();
        source.retire();
      },
    };
  }
  const handle: BatchHandler = w.role === 'stage' ? stageHandler(w, io as StageIO, pauseReporter(send)) : sinkHandler(w, io as SinkIO);
  const consume = new ConsumePump({
    actor: w.actor,
    input: w.input as Channel,
    // Stages keep their output order with one batch at a time; a sink may ask for more.
    concurrency: w.role === 'sink' ? Math.max(1, (io as SinkIO).writesInFlight ?? 1) : 1,
    maxAttempts: w.maxAttempts,
    deadLetters: w.deadLetters,
    handle: async (batch) => {
      if (batch.redelivered !== true) {
        w.counters.recordsIn += batch.records.length;
        w.counters.bytesIn += batch.bytes;
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
