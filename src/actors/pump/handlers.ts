import type { Ack } from '../../streams/ack.js';
import type { Batch } from '../../streams/batch.js';
import { throughStage, type Origin } from '../../streams/origin.js';
import type { SinkIO, StageIO, StageOutput } from '../io.js';
import type { BatchHandler } from './consume-pump.js';
import type { DeadLetters } from './dead-letters.js';
import type { BlockListener, Outputs } from './outputs.js';

/** Where a stage's or sink's results go. */
export interface HandlerWiring {
  actor: string;
  outputs: Outputs;
  deadLetters: DeadLetters;
}

/**
 * A stage's batch handler: what `process` returns goes downstream (or, partitioned, to one
 * consumer each), its rejects to the dead letters; a streamed output is sent piece by piece.
 */
export function stageHandler(w: HandlerWiring, io: StageIO, listener: BlockListener): BatchHandler {
  // `origin`: only for a whole batch's output; a streamed piece holds part of it (no origin).
  const sendPiece = async (out: StageOutput, ack: Ack, position: string, origin?: Origin): Promise<void> => {
    const dead = out.dead ?? [];
    const [pass, reject] = (dead.length === 0 ? [ack] : ack.fork(2)) as [Ack, Ack | undefined];
    const through = throughStage(origin, w.actor);
    const sent =
      'partitions' in out
        ? w.outputs.sendPartitioned(out.partitions, pass, position, listener, through)
        : w.outputs.send(out.records, pass, position, listener, through);
    await Promise.all([sent, reject && w.deadLetters.send(w.actor, position, dead, reject, origin)]);
  };
  return async (batch: Batch) => {
    const out = io.process(batch);
    if (!isAsyncIterable(out)) {
      await sendPiece(await out, batch.ack, batch.position, batch.origin);
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

/** A sink's batch handler: acked once `write` resolves; the records it rejects are dead-lettered. */
export function sinkHandler(w: HandlerWiring, io: SinkIO): BatchHandler {
  return async (batch: Batch) => {
    const result = await io.write(batch);
    const dead = result?.dead ?? [];
    if (dead.length === 0) {
      batch.ack.done();
      return;
    }
    const [stored, reject] = batch.ack.fork(2) as [Ack, Ack];
    stored.done();
    await w.deadLetters.send(w.actor, batch.position, dead, reject, batch.origin);
  };
}
