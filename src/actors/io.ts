import type { Logger } from 'pino';
import type { Share } from '../core/shared-resources.js';
import type { TransportConfig } from '../transport/schema.js';
import type { Batch } from '../streams/batch.js';
import type { SourceOrigin } from '../streams/origin.js';
import type { Json, LogRecord } from '../streams/record.js';

/** What a kind's code gets to know about where it runs. */
export interface ActorContext {
  /** Actor id from the topology, e.g. `parse`. */
  readonly id: string;
  /** Replica index within a stage set (0-based) and how many replicas there are. */
  readonly replica: number;
  readonly replicas: number;
  readonly log: Logger;
  /** Directory of the topology file: relative paths in config resolve against it. */
  readonly baseDir: string;
  /** Durable state directory reserved for this actor (large state: progress databases). */
  readonly stateDir: string;
  /** This actor's durable position (shared by the replicas of a stage set: key it by replica). */
  readonly checkpoint: Checkpoint;
  /** Aborted when the actor must stop reading or writing now. */
  readonly signal: AbortSignal;
  /** The topology's message log (embedded or Kafka), with `dir` made absolute for embedded. */
  readonly transport: TransportConfig;
  /** Ids of the actors this one's output feeds, in topology order (partitioning stages route by index). */
  readonly consumers: readonly string[];
  /**
   * A lease on a resource shared by every actor of this runtime that asks for the same `key`
   * (one connection pool, one open log, one coordinator per node): opened by the first
   * acquire, closed when the last lease is released. Leases still held when this incarnation
   * ends (a crash that skipped `close`) are released by the runtime. Prefix keys with the kind.
   *
   * @example
   * const lease = await ctx.shared(`mykind-pool:${ctx.stateDir}`, () => openPool(config), (pool) => pool.end());
   * await lease.resource.query('SELECT 1');
   * await lease.release(); // in close()
   */
  readonly shared: Share;
}

/**
 * An actor's durable position. `set` is cheap (memory); the value reaches disk on `flush` or soon
 * after `set`, and survives actor restarts and, once flushed, process crashes.
 */
export interface Checkpoint {
  get(): Json | undefined;
  set(value: Json): void;
  /** Resolves once the current value is on disk. */
  flush(): Promise<void>;
}

/** A record a kind could not handle, with the reason; the runtime dead-letters it. */
export interface DeadRecord {
  record: LogRecord;
  reason: string;
  /** Where this record came from (a source's `topic/partition@offset`); the batch's label when absent. */
  position?: string;
}

/** Kind-specific live status (assignments, lag, health) shown by the inspector. */
export interface Describable {
  status?(): { [key: string]: Json };
}

/** What a source read returns: records and the position to commit once they are all acked. */
export interface SourceRead<P> {
  records: LogRecord[];
  position: P;
  /** Human-readable position for dead-letter entries and logs, e.g. `app.log:1200`. */
  label: string;
  /** Input the source rejects (a file too large to load, a message it cannot decode): dead-lettered with the batch's position. */
  dead?: DeadRecord[];
  /**
   * Where the records sit in an ordered stream of this source, for a source that re-reads the
   * same records at the same positions after a restart: lets sinks skip what they already stored.
   */
  origin?: SourceOrigin;
}

/**
 * A source's I/O contract. `read` throws {@link EndOfInput} when done and
 * {@link NotConnected} when the connection is lost; `commit` receives the highest position
 * whose records, and all before them, were acknowledged by every sink.
 */
export interface SourceIO<P = unknown> extends Describable {
  connect(): Promise<void>;
  read(): Promise<SourceRead<P>>;
  commit(position: P): void | Promise<void>;
  close(): Promise<void>;
}

/**
 * What a stage makes of one batch: the records to pass on (to every consumer) and the ones it
 * rejects. A partitioning stage returns `partitions` instead: one array per consumer, in the
 * order of {@link ActorContext.consumers}, each sent only to that consumer.
 */
export type StageOutput =
  | { records: LogRecord[]; dead?: DeadRecord[] }
  | { partitions: LogRecord[][]; dead?: DeadRecord[] };

/**
 * A stage's contract. `process` must not keep the batch: it returns what goes downstream, at once
 * or, for outputs larger than memory should hold (a decompressed file), as an async iterable of
 * pieces: each piece is sent downstream, under backpressure, before the next is pulled.
 */
export interface StageIO extends Describable {
  connect?(): Promise<void>;
  process(batch: Batch): StageOutput | Promise<StageOutput> | AsyncIterable<StageOutput>;
  close?(): Promise<void>;
}

/** A sink's contract: `write` resolves once the batch is durable; rejected records are returned. */
export interface SinkIO extends Describable {
  connect(): Promise<void>;
  write(batch: Batch): Promise<{ dead?: DeadRecord[] } | void>;
  close(): Promise<void>;
  /**
   * How many batches `write` may be given before the first settles (default 1). More than one
   * lets a sink prepare the next batch while the previous one is being stored elsewhere (a
   * thread, a server); each batch is still acked on its own and the commit tracker keeps order.
   */
  readonly writesInFlight?: number;
}
