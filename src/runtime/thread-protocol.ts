import { InvalidConfig, NotConnected, isInvalidConfig } from '../core/errors.js';
import type { DeadRecord, StageOutput } from '../actors/io.js';
import type { Json } from '../streams/record.js';
import { packRecords, transferOf, unpackRecords, type PackedRecords } from '../streams/packed-records.js';
import type { TransportConfig } from '../transport/schema.js';
import type { Origin } from '../streams/origin.js';

/**
 * What a worker thread needs to create the kind of one replica (its `workerData`): everything of
 * the replica's `ActorContext` that can cross a thread, and the kind by its registered name.
 */
export interface ThreadSetup {
  role: 'stage' | 'sink';
  kind: string;
  /** The module of a kind brought by the topology's `plugins` (file URL); absent for registered kinds. */
  kindModule?: string;
  config: Record<string, unknown>;
  id: string;
  replica: number;
  replicas: number;
  baseDir: string;
  stateDir: string;
  /** The replica's checkpoint file; the thread keeps its own `Checkpoint` on it. */
  checkpointFile: string;
  transport: TransportConfig;
  consumers: readonly string[];
  logLevel: string;
}

/** A batch as it crosses to the thread: its records, packed, and what the kind may read of it; the ack stays behind. */
export interface ThreadBatch {
  packed: PackedRecords;
  position: string;
  origin?: Origin;
  attempts: number;
  lastError?: string;
}

/**
 * Calls from the replica to its thread, each answered by one {@link ThreadReply} with its `id`.
 * `process` starts a stage's output (named by the call's id) and answers with its first piece;
 * `next` asks for the following one (pieces are pulled one at a time, so streaming stages keep
 * their backpressure); `cancel` drops an output the replica stopped reading.
 */
export type ThreadRequest =
  | { op: 'connect'; id: number }
  | { op: 'process'; id: number; batch: ThreadBatch }
  | { op: 'next'; id: number; output: number }
  | { op: 'cancel'; id: number; output: number }
  | { op: 'write'; id: number; batch: ThreadBatch }
  | { op: 'close'; id: number };

/** The kind's `status()` after a call, when it has one. */
export type ThreadStatus = { [key: string]: Json } | undefined;

/**
 * Answers, matched by `id`; `id` 0 is the thread's first message, once the kind is created.
 * A failure carries the error's message and its class where the runtime acts on it (`NotConnected`
 * backs off, `InvalidConfig` is not restarted).
 */
export type ThreadReply =
  | { id: number; ok: true; piece?: ThreadPiece; done?: boolean; dead?: DeadRecord[]; hasStatus?: boolean; status: ThreadStatus }
  | { id: number; ok: false; error: string; failure: ThreadFailure; status: ThreadStatus };

/** The classes of failure that keep their meaning across the thread. */
export type ThreadFailure = 'notConnected' | 'invalidConfig' | 'error';

/** The class of `error`, to post. */
export function failureOf(error: unknown): ThreadFailure {
  if (error instanceof NotConnected) return 'notConnected';
  return isInvalidConfig(error) ? 'invalidConfig' : 'error';
}

/** The error a posted failure stands for, on the runtime's side. */
export function failureFrom(failure: ThreadFailure, message: string): Error {
  if (failure === 'notConnected') return new NotConnected(message);
  return failure === 'invalidConfig' ? new InvalidConfig(message) : new Error(message);
}

/** A stage's output piece as it crosses back: its records packed (dead records, rare, are cloned). */
export type ThreadPiece = { packed: PackedRecords; dead?: DeadRecord[] } | { partitions: PackedRecords[]; dead?: DeadRecord[] };

/** A piece made ready to post, and the buffers that move with it (nothing else holds them). */
export function packPiece(piece: StageOutput): { piece: ThreadPiece; transfer: ArrayBuffer[] } {
  const dead = piece.dead === undefined ? {} : { dead: piece.dead };
  if ('partitions' in piece) {
    const partitions = piece.partitions.map(packRecords);
    return { piece: { partitions, ...dead }, transfer: partitions.flatMap(transferOf) };
  }
  const packed = packRecords(piece.records);
  return { piece: { packed, ...dead }, transfer: transferOf(packed) };
}

/** The stage output a posted piece stands for, its records materialised. */
export function unpackPiece(piece: ThreadPiece): StageOutput {
  const dead = piece.dead === undefined ? {} : { dead: piece.dead };
  if ('partitions' in piece) return { partitions: piece.partitions.map(unpackRecords), ...dead };
  return { records: unpackRecords(piece.packed), ...dead };
}
