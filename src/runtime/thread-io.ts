import type { Worker } from 'node:worker_threads';
import { errorMessage } from '../core/errors.js';
import type { ActorContext, SinkIO, StageIO, StageOutput } from '../actors/io.js';
import { findKind } from '../kinds/registry.js';
import type { Batch } from '../streams/batch.js';
import { packRecords, transferOf } from '../streams/packed-records.js';
import type { NodeSpec } from '../topology/model.js';
import { pluginModuleOf } from '../topology/plugins.js';
import { startThread } from '../core/start-thread.js';
import { failureFrom, unpackPiece, type ThreadBatch, type ThreadReply, type ThreadRequest, type ThreadSetup, type ThreadStatus } from './thread-protocol.js';

type Answer = Extract<ThreadReply, { ok: true }>;

/** What crosses to the thread of a batch (its ack stays here, with the replica), and what may move. */
function crossing(batch: Batch): { batch: ThreadBatch; transfer: ArrayBuffer[] } {
  const packed = packRecords(batch.records);
  const out: ThreadBatch = { packed, position: batch.position, attempts: batch.attempts };
  if (batch.lastError !== undefined) out.lastError = batch.lastError;
  if (batch.origin !== undefined) out.origin = batch.origin;
  return { batch: out, transfer: transferOf(packed) };
}

/** One replica's worker thread: calls matched to answers by id; its end fails every open call. */
class Thread {
  status: ThreadStatus;
  /** The thread's first answer: the kind is created. */
  readonly ready: Promise<Answer>;
  private readonly worker: Worker;
  private readonly open = new Map<number, { resolve(a: Answer): void; reject(e: Error): void }>();
  private nextId = 1;
  private ended: Error | undefined;
  /** The thread's death when no call has failed with it yet (it died after its last answer). */
  private unreported: Error | undefined;

  constructor(setup: ThreadSetup, private readonly label: string) {
    this.ready = new Promise((resolve, reject) => this.open.set(0, { resolve, reject }));
    this.worker = startThread('runtime/thread-host', setup);
    this.worker.on('message', (reply: ThreadReply) => {
      const call = this.open.get(reply.id);
      this.open.delete(reply.id);
      if (reply.status !== undefined) this.status = reply.status;
      if (reply.ok) call?.resolve(reply);
      else call?.reject(failureFrom(reply.failure, reply.error));
    });
    this.worker.on('error', (error) => this.end(new Error(`the worker thread of ${label} failed: ${errorMessage(error)}`)));
    this.worker.on('exit', (code) => this.end(new Error(`the worker thread of ${label} exited with code ${code}`)));
  }

  /** Sends the request made for a new call id; `transfer` lists buffers that move to the thread. */
  call(request: (id: number) => ThreadRequest, transfer: readonly ArrayBuffer[] = []): Promise<Answer> {
    if (this.ended !== undefined) {
      this.unreported = undefined;
      return Promise.reject(this.ended);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.open.set(id, { resolve, reject });
      try {
        this.worker.postMessage(request(id), transfer);
      } catch (error) {
        this.open.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /**
   * Closes the kind in the thread (when the thread still runs), then ends the thread. A thread
   * that died after its last answer fails the close with its cause, so the death is not lost
   * when the replica ends without calling it again.
   */
  async close(): Promise<void> {
    const unreported = this.unreported;
    if (this.ended === undefined) await this.call((id) => ({ op: 'close', id })).catch(() => undefined);
    this.end(new Error(`the worker thread of ${this.label} is closed`));
    await this.worker.terminate();
    if (unreported !== undefined) throw unreported;
  }

  private end(error: Error): void {
    if (this.ended !== undefined) return;
    this.ended = error;
    if (this.open.size === 0) this.unreported = error;
    for (const call of this.open.values()) call.reject(error);
    this.open.clear();
  }
}

/** A stage's output pulled from the thread piece by piece, under the replica's backpressure. */
function threadOutput(thread: Thread, batch: Batch): AsyncIterable<StageOutput> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<StageOutput> {
      let output: number | undefined;
      let done = false;
      return {
        async next() {
          if (done) return { done: true, value: undefined };
          try {
            const sent = output === undefined ? crossing(batch) : undefined;
            const answer = await thread.call((id) => {
              if (sent === undefined) return { op: 'next', id, output: output as number };
              output = id;
              return { op: 'process', id, batch: sent.batch };
            }, sent?.transfer);
            if (answer.done === true || answer.piece === undefined) {
              done = true;
              return { done: true, value: undefined };
            }
            return { done: false, value: unpackPiece(answer.piece) };
          } catch (error) {
            done = true;
            throw error;
          }
        },
        async return() {
          if (!done && output !== undefined) {
            const cancelled = output;
            await thread.call((id) => ({ op: 'cancel', id, output: cancelled })).catch(() => undefined);
          }
          done = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/**
 * `isolation: thread`: the replica's kind runs in a worker thread of its own, created from the
 * registry by name with the node's config. The returned I/O forwards every call (batches cross
 * packed in transferred buffers, see packed-records.ts, and outputs back the same way; acks never leave the replica), so supervision, retries
 * and redelivery work as on the main thread: a call that throws in the thread throws here
 * (`NotConnected` stays `NotConnected`), and a thread that dies fails its open call, which crashes
 * the replica and requeues the batch. A stage's output always comes back as pulled pieces.
 *
 * @example
 * const io = await createThreadIO(node, ctx, checkpoint.file); // what startReplica does for isolation: thread
 */
export async function createThreadIO(node: NodeSpec, ctx: ActorContext, checkpointFile: string): Promise<StageIO | SinkIO> {
  const role = node.role;
  if (role === 'source') throw new Error(`${node.id}: isolation: thread is for stages and sinks, not sources`);
  const kindModule = pluginModuleOf(node.kind);
  if (kindModule === undefined && findKind(role, node.kind.name) !== node.kind) {
    throw new Error(`${node.id}: isolation: thread runs registered and plugin kinds only, and ${role} kind "${node.kind.name}" is neither in src/kinds/registry.ts nor in the topology's plugins`);
  }
  const setup: ThreadSetup = {
    role,
    kind: node.kind.name,
    ...(kindModule !== undefined && { kindModule }),
    config: node.config,
    id: ctx.id,
    replica: ctx.replica,
    replicas: ctx.replicas,
    baseDir: ctx.baseDir,
    stateDir: ctx.stateDir,
    checkpointFile,
    transport: ctx.transport,
    consumers: ctx.consumers,
    logLevel: ctx.log.level,
  };
  const thread = new Thread(setup, `${ctx.id}#${ctx.replica}`);
  let hello: Answer;
  try {
    hello = await thread.ready;
  } catch (error) {
    await thread.close();
    throw error;
  }
  const common = {
    async connect(): Promise<void> {
      await thread.call((id) => ({ op: 'connect', id }));
    },
    close: () => thread.close(),
    ...(hello.hasStatus === true && { status: () => thread.status ?? {} }),
  };
  if (role === 'stage') return { ...common, process: (batch: Batch) => threadOutput(thread, batch) } satisfies StageIO;
  return {
    ...common,
    async write(batch: Batch) {
      const sent = crossing(batch);
      const answer = await thread.call((id) => ({ op: 'write', id, batch: sent.batch }), sent.transfer);
      return answer.dead === undefined ? undefined : { dead: answer.dead };
    },
  } satisfies SinkIO;
}
