/**
 * The worker-thread side of `isolation: thread` (see thread-io.ts): creates the replica's kind
 * from the registry and answers the replica's calls one by one, on this thread.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { pino } from 'pino';
import { errorMessage } from '../core/errors.js';
import { SharedResources } from '../core/shared-resources.js';
import type { ActorContext, SinkIO, StageIO, StageOutput } from '../actors/io.js';
import { findKind } from '../kinds/registry.js';
import { outputPieces } from '../actors/output-pieces.js';
import { importModule, kindsOf } from '../topology/plugins.js';
import { Ack } from '../streams/ack.js';
import { makeBatch, type Batch } from '../streams/batch.js';
import { unpackRecords } from '../streams/packed-records.js';
import { FileCheckpoint } from './checkpoint.js';
import { failureOf, packPiece, type ThreadBatch, type ThreadReply, type ThreadRequest, type ThreadSetup } from './thread-protocol.js';

function toBatch(b: ThreadBatch): Batch {
  const batch = makeBatch(unpackRecords(b.packed), Ack.none(), b.position, b.origin);
  batch.attempts = b.attempts;
  if (b.lastError !== undefined) batch.lastError = b.lastError;
  return batch;
}

/** A stage's output in progress: its pieces, and the next one already made ready, if any. */
interface Output {
  pieces: AsyncIterator<StageOutput>;
  ahead?: Promise<PackedPiece | undefined> | undefined;
}

type PackedPiece = ReturnType<typeof packPiece>;

/** The next piece of `pieces`, packed to post; undefined at the end. */
async function packNext(pieces: AsyncIterator<StageOutput>): Promise<PackedPiece | undefined> {
  const next = await pieces.next();
  return next.done === true ? undefined : packPiece(next.value);
}

async function serve(port: MessagePort, setup: ThreadSetup): Promise<void> {
  const kind = setup.kindModule === undefined ? findKind(setup.role, setup.kind) : kindsOf(await importModule(setup.kindModule)).find((k) => k.role === setup.role && k.name === setup.kind);
  if (kind === undefined || kind.role === 'source') throw new Error(`no ${setup.role} kind "${setup.kind}" in ${setup.kindModule ?? 'the registry'}: isolation: thread runs registered and plugin kinds only`);
  const abort = new AbortController();
  // The thread's own registry: resources opened here live in this thread, apart from the runtime's.
  const leases = new SharedResources().scope();
  const checkpoint = new FileCheckpoint(setup.checkpointFile, 200);
  const log = pino({ level: setup.logLevel, base: { app: 'millrace', actor: setup.id, replica: setup.replica, thread: true } }, pino.destination({ fd: 2, sync: true }));
  const ctx: ActorContext = {
    id: setup.id,
    replica: setup.replica,
    replicas: setup.replicas,
    log,
    baseDir: setup.baseDir,
    stateDir: setup.stateDir,
    checkpoint,
    signal: abort.signal,
    consumers: setup.consumers,
    transport: setup.transport,
    shared: leases.share,
  };
  const io: StageIO | SinkIO = await kind.create(setup.config as never, ctx);
  const outputs = new Map<number, Output>();
  const status = (): ThreadReply['status'] => io.status?.();
  const reply = (message: ThreadReply, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

  const pull = async (output: number, id: number): Promise<void> => {
    const out = outputs.get(output);
    if (out === undefined) throw new Error(`no output ${output} in progress`);
    const next = await (out.ahead ?? packNext(out.pieces));
    out.ahead = undefined;
    if (next === undefined) {
      outputs.delete(output);
      return reply({ id, ok: true, done: true, status: status() });
    }
    reply({ id, ok: true, piece: next.piece, status: status() }, next.transfer);
    // Work on the next piece while this one travels and is sent downstream: one piece ahead at most.
    out.ahead = packNext(out.pieces);
    out.ahead.catch(() => undefined);
  };

  const handle = async (req: ThreadRequest): Promise<void> => {
    switch (req.op) {
      case 'connect':
        await io.connect?.();
        return reply({ id: req.id, ok: true, status: status() });
      case 'process':
        outputs.set(req.id, { pieces: outputPieces((io as StageIO).process(toBatch(req.batch))) });
        return pull(req.id, req.id);
      case 'next':
        return pull(req.output, req.id);
      case 'cancel': {
        const output = outputs.get(req.output);
        outputs.delete(req.output);
        await output?.ahead?.catch(() => undefined);
        await output?.pieces.return?.();
        return reply({ id: req.id, ok: true, status: status() });
      }
      case 'write': {
        const result = await (io as SinkIO).write(toBatch(req.batch));
        return reply({ id: req.id, ok: true, ...(result?.dead !== undefined && { dead: result.dead }), status: status() });
      }
      case 'close':
        await io.close?.();
        await leases.releaseAll();
        await checkpoint.flush();
        abort.abort();
        return reply({ id: req.id, ok: true, status: status() });
    }
  };

  port.on('message', (req: ThreadRequest) => {
    handle(req).catch((error: unknown) => {
      outputs.delete(req.op === 'next' || req.op === 'cancel' ? req.output : req.id);
      reply({ id: req.id, ok: false, error: errorMessage(error), failure: failureOf(error), status: status() });
    });
  });
  reply({ id: 0, ok: true, hasStatus: io.status !== undefined, status: status() });
}

const port = parentPort;
if (port !== null) {
  serve(port, workerData as ThreadSetup).catch((error: unknown) => {
    port.postMessage({ id: 0, ok: false, error: errorMessage(error), failure: failureOf(error), status: undefined } satisfies ThreadReply);
  });
}
