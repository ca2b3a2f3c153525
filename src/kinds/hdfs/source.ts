import type { z } from 'zod';
import { EndOfInput, errorMessage } from '../../core/errors.js';
import type { ActorContext, SourceIO, SourceRead } from '../../actors/io.js';
import { defineSource } from '../../actors/kind.js';
import type { LogRecord } from '../../streams/record.js';
import { FileChanged, FileGone, FileRejected } from '../../stores/backend.js';
import type { Claim } from './claim-store.js';
import { hdfsConfig, totalPollers, type HdfsConfig } from './config.js';
import { Coordinator, type CoordinatorLease, type Rejection } from './coordinator.js';

/** What a poller commits: the sequence number of its last acknowledged read, and that file's id. */
export interface HdfsPosition {
  seq: number;
  file: string;
}

/** The record of one file, per the log-pipeline record contract. */
function fileRecord(claim: Claim, bytes: Uint8Array): LogRecord {
  const { entry } = claim;
  return {
    value: bytes,
    key: claim.file,
    ts: entry.mtime,
    headers: {
      file: claim.file,
      source: claim.cluster,
      path: entry.path,
      size: String(entry.size),
      mtime: String(entry.mtime),
    },
  };
}

/** A rejected file as a dead-letter record: its metadata, not its bytes. */
function rejectedRecord(r: Rejection): LogRecord {
  return {
    value: new Uint8Array(0),
    key: r.file,
    ts: r.entry.mtime,
    headers: { file: r.file, source: r.cluster, path: r.entry.path, size: String(r.entry.size), mtime: String(r.entry.mtime) },
  };
}

/**
 * One poller (one replica): reads the files of the cluster its slot serves, one file per batch.
 * Files it has read but that are not yet acknowledged stay claimed by it; `commit(position)`
 * marks every file up to that read done, and `close` (after a stop or a crash) hands the rest
 * back, so they are read again by this slot's next incarnation or by another poller.
 */
function createPoller(config: HdfsConfig, ctx: ActorContext): SourceIO<HdfsPosition> {
  /** Taken on the first connect (create cannot wait); released by close or when the actor ends. */
  let lease: CoordinatorLease | undefined;
  const coordinator = (): Coordinator => {
    if (lease === undefined) throw new Error(`hdfs poller ${ctx.id}#${ctx.replica} is not connected`);
    return lease.resource;
  };
  const slot = ctx.replica;
  const closing = new AbortController();
  const signal = AbortSignal.any([ctx.signal, closing.signal]);
  /** Files read and sent, oldest first, awaiting their commit. */
  const held: { seq: number; claim: Claim }[] = [];
  let seq = 0;

  const stillOpen = async (claim?: Claim): Promise<void> => {
    if (!signal.aborted) return;
    if (claim !== undefined) await coordinator().unclaim(claim, 'next');
    throw new Error('hdfs poller closed');
  };

  /** Reads a claimed file; `undefined` when it vanished, changed or was rejected (the claim is settled). */
  async function load(claim: Claim): Promise<Uint8Array | undefined> {
    try {
      return await coordinator().fetch(claim, signal);
    } catch (error) {
      if (error instanceof FileGone || error instanceof FileChanged) {
        // The next listing shows what is there now.
        ctx.log.debug({ file: claim.file, reason: errorMessage(error) }, 'file skipped');
        await coordinator().unclaim(claim, 'drop');
        return undefined;
      }
      if (error instanceof FileRejected) {
        await coordinator().reject(claim, error.message);
        return undefined;
      }
      await coordinator().unclaim(claim, 'later');
      throw error;
    }
  }

  return {
    async connect() {
      lease ??= await Coordinator.acquire(config, ctx);
      await coordinator().connect(coordinator().serving(slot), signal);
    },

    async read(): Promise<SourceRead<HdfsPosition>> {
      for (;;) {
        await stillOpen();
        const rejected = coordinator().takeRejections();
        if (rejected.length > 0) {
          // Already recorded as done-with-reason; the dead-letter entry makes it visible downstream.
          seq += 1;
          return {
            records: [],
            dead: rejected.map((r) => ({ record: rejectedRecord(r), reason: r.reason })),
            position: { seq, file: rejected[0]?.file ?? '' },
            label: rejected.map((r) => r.file).join(', '),
          };
        }
        const cluster = coordinator().serving(slot);
        const claim = await coordinator().take(cluster, slot, signal);
        if (claim !== undefined) {
          await stillOpen(claim);
          const bytes = await load(claim);
          await stillOpen(bytes === undefined ? undefined : claim);
          if (bytes === undefined) continue;
          if (!(await coordinator().confirm(claim))) {
            // Its lease lapsed while reading (shared claims): another process may read it now.
            ctx.log.warn({ file: claim.file }, 'file not sent: its claim lapsed while it was read');
            await coordinator().unclaim(claim, 'drop');
            continue;
          }
          seq += 1;
          held.push({ seq, claim });
          return {
            records: [fileRecord(claim, bytes)],
            position: { seq, file: claim.file },
            label: claim.file,
          };
        }
        if (!config.watch && coordinator().finished()) throw new EndOfInput();
        await coordinator().wait(Math.min(coordinator().dueIn(cluster), config.pollIntervalMs), signal);
      }
    },

    async commit(position: HdfsPosition) {
      let n = 0;
      while (n < held.length && (held[n]?.seq ?? Number.POSITIVE_INFINITY) <= position.seq) n += 1;
      await coordinator().complete(held.splice(0, n).map((h) => h.claim));
    },

    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      if (lease === undefined) return;
      for (const h of held.splice(0)) await coordinator().unclaim(h.claim, 'next');
      await lease.release();
    },

    status() {
      return lease === undefined ? { poller: slot, connected: false } : coordinator().status(slot);
    },
  };
}

/**
 * The `hdfs` source: polls HDFS clusters (WebHDFS) or local directories for files and emits
 * one record per file (value: its bytes, still compressed; key and header `file`:
 * `<cluster>:<path>`; headers `source`, `path` relative to the cluster root, `size`, `mtime`).
 *
 * Each cluster owns `pollers` replicas; a cluster that keeps failing lends them to the healthy
 * cluster of highest weight until it answers its probes again. Pollers share files through a
 * claim table, so a file is read by one poller at a time; with `coordination`, the claims live in
 * a MariaDB/MySQL table shared by every process running the topology, under leases.
 *
 * Delivery is at-least-once: a file is recorded done (in `<stateDir>/files.db`, or the shared
 * table with `coordination`) only once every
 * record made from it is acknowledged downstream; a file in flight when its poller crashes or
 * the process stops is read again. Files larger than `maxFileBytes`, or refused by the cluster
 * (permissions), are never loaded: they are logged, recorded with the reason, dead-lettered (metadata only), and skipped
 * until they change. Without `watch`, the source ends once every file listed at start is done;
 * a cluster that never answers keeps it waiting.
 *
 * @example
 * sources:
 *   logs:
 *     kind: hdfs
 *     clusters:
 *       - { name: a, backend: { type: webhdfs, url: "http://nn-a:9870", root: /logs }, weight: 2 }
 *       - { name: local, backend: { type: local, dir: ./incoming }, pollers: 1 }
 *     watch: true
 *     minAgeMs: 10000
 */
export const hdfsKind = defineSource({
  name: 'hdfs',
  example: { clusters: [{ name: 'local', backend: { type: 'local', dir: 'data/incoming' } }] },
  description:
    'Files of HDFS clusters or local directories, one record per file, with poller failover between clusters.',
  config: hdfsConfig,
  replicasFor: (config: z.output<typeof hdfsConfig>) => totalPollers(config),
  create(config: z.output<typeof hdfsConfig>, ctx) {
    return createPoller(config, ctx) as SourceIO;
  },
});
