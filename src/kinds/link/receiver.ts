import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceRead } from '../../actors/io.js';
import { defineSource } from '../../actors/kind.js';
import { DiskQueue } from '../../link/disk-queue.js';
import { LinkReceiver } from '../../link/receiver.js';
import { Wake } from '../../core/wake.js';
import { FsyncCoalescer } from '../../log/fsync-coalescer.js';
import { receiverTlsOptions } from './link-security.js';
import { queueDirOf } from './queue-config.js';
import { ReceiverMetrics } from './receiver-metrics.js';
import { linkReceiverConfig, type LinkReceiverConfig } from './receiver-config.js';
import { fromWire } from './wire-mapping.js';

/** The least time between two saves of the downstream position. */
const SAVE_SPACING_MS = 100;

interface ReceiverSide {
  queue: DiskQueue;
  receiver: LinkReceiver;
  arrived: Wake;
  metrics: ReceiverMetrics;
}

/**
 * The `link` source: the receiving end of a mirror link. Listens for the sender, persists what
 * arrives to its disk queue before acking it, and hands the queue downstream; the position
 * downstream acknowledged is committed in the queue. Each record's stream is its source topic.
 *
 * @example
 * nodes:
 *   in:
 *     kind: link
 *     config: { link: dc1-dc2, host: 0.0.0.0, port: 9400 }
 */
export const linkReceiverKind = defineSource({
  name: 'link',
  example: { link: 'dc1-dc2', port: 9400, queueDir: 'data/link-queue' },
  description: 'Receives records from a link sender in another data centre into a disk queue, then feeds them downstream.',
  config: linkReceiverConfig,
  create(config: LinkReceiverConfig, ctx) {
    const dir = queueDirOf(config, ctx);
    let lease: { resource: ReceiverSide; release(): Promise<void> } | undefined;
    let cursor = 0;
    /** The newest position downstream committed, and the newest saved in the queue. */
    let wanted = 0;
    let saved = 0;
    /**
     * Saves the downstream position: after a pause that gathers the commits of the next
     * SAVE_SPACING_MS, the newest of them, once (commits come per downstream batch, tens a second,
     * and each save replaces a file with two fsyncs).
     */
    const save = async (): Promise<void> => {
      await sleep(SAVE_SPACING_MS);
      const position = wanted;
      if (lease === undefined || position <= saved) return;
      const { queue, receiver } = lease.resource;
      try {
        await queue.deliver(position);
        saved = position;
        // Whole segments delivered downstream are not needed again.
        if (queue.canTrim(position)) await queue.trimThrough(position);
        receiver.roomMade();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        // Downstream has the records; only the marker of how far failed to persist. Failing the
        // source here would restart it against the same full disk until its restart limit is
        // spent; the next commit writes a later position, and a crash before one succeeds only
        // hands the same records down again (the at-least-once window the design describes).
        receiver.stats.queueError = (err as Error).message;
        ctx.log.warn({ err: (err as Error).message, position }, `link ${config.link}: saving the downstream position failed (disk full); kept in memory and retried with the next commit; free space for the queue directory`);
      }
    };
    const saves = new FsyncCoalescer(save);
    return {
      async connect() {
        await lease?.release();
        lease = undefined;
        lease = await ctx.shared(
          `link-receiver:${dir}`,
          async () => {
            const queue = await DiskQueue.open(dir, config.queueSegmentBytes);
            const arrived = new Wake();
            const metrics = new ReceiverMetrics(queue.head, queue.delivered);
            const receiver = new LinkReceiver({
              queue,
              link: config.link,
              maxFrameBytes: config.maxFrameBytes,
              maxQueueBytes: config.maxQueueBytes,
              secret: config.secret,
              tls: receiverTlsOptions(config.tls, ctx.baseDir),
              log: ctx.log,
              onPersisted: (records, last) => {
                metrics.persisted(records, last);
                arrived.notify();
              },
            });
            const port = await receiver.listen(config.host, config.port);
            ctx.log.info({ host: config.host, port }, `link ${config.link}: receiver listening on ${config.host}:${port}`);
            return { queue, receiver, arrived, metrics };
          },
          async ({ queue, receiver }) => {
            await receiver.close();
            await queue.close();
          },
        );
        cursor = lease.resource.queue.delivered;
        lease.resource.metrics.rewind(cursor);
      },
      async read(): Promise<SourceRead<number>> {
        if (lease === undefined) throw new Error(`link source ${ctx.id} is not connected`);
        const { queue, arrived, metrics } = lease.resource;
        while (queue.head <= cursor) {
          ctx.signal.throwIfAborted();
          await arrived.wait(200);
        }
        const start = cursor;
        const wire = await queue.read(start + 1, config.batchSize, 4 * 1024 * 1024);
        cursor = start + wire.length;
        metrics.read(wire, cursor);
        const positions = wire.map((_, i) => start + 1 + i);
        return { records: wire.map((w) => fromWire(w, config.sourceOffsetHeader)), position: cursor, label: `${config.link} seq ${start + 1}..${cursor}`, origin: { stream: config.link, start, end: cursor, positions } };
      },
      commit(position: unknown) {
        if (lease === undefined) return;
        lease.resource.metrics.committed(position as number);
        wanted = Math.max(wanted, position as number);
        return saves.request();
      },
      async close() {
        await saves.settle();
        await lease?.release();
        lease = undefined;
      },
      status() {
        if (lease === undefined) return { state: 'closed' };
        const { queue, receiver, metrics } = lease.resource;
        return { state: 'listening', ...receiver.stats, seqPersisted: receiver.persisted, seqDelivered: queue.delivered, queueDepth: queue.head - queue.delivered, queueBytes: queue.sizeBytes, ...metrics.status() };
      },
    };
  },
});
