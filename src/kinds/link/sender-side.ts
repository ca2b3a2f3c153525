import type tls from 'node:tls';
import type { Logger } from 'pino';
import { DiskQueue } from '../../link/disk-queue.js';
import { LinkSender } from '../../link/sender.js';
import { Wake } from '../../core/wake.js';
import { byTopic, QueueAge } from '../../link/link-metrics.js';
import type { WireRecord } from '../../link/wire-record.js';
import { heartbeatRecord } from '../../link/heartbeat.js';
import type { TopicSpecs } from '../../link/topic-spec.js';
import { QueuedOffsets } from './queued-offsets.js';
import type { LinkSenderConfig } from './sender-config.js';

/**
 * What the sink replicas of one link share: the disk queue, the offsets it holds, the sender
 * shipping it. Appends are serialised (an append and the offsets it notes are one step, so a
 * snapshot of the offsets matches a queue position). Once the receiver acknowledges records that
 * fill a whole segment, the offsets are saved and the segment deleted. At `maxQueueBytes` an
 * append waits until trimming makes room: the source is held back, nothing is dropped.
 */
export class SenderSide {
  /** Since when appends wait for room (undefined: not waiting). */
  blockedSince: number | undefined;
  /** Age of the oldest record the receiver has not acknowledged. */
  readonly age = new QueueAge();
  private chain: Promise<unknown> = Promise.resolve();
  private trimming: Promise<void> | undefined;
  private readonly room = new Wake();

  readonly sender: LinkSender;
  /** Heartbeat records queued by this process (config.heartbeat). */
  heartbeatsQueued = 0;
  private readonly maxQueueBytes: number;
  private readonly heartbeats: NodeJS.Timeout | undefined;
  private beating = false;

  private constructor(
    readonly queue: DiskQueue,
    private readonly offsets: QueuedOffsets,
    config: LinkSenderConfig,
    tlsOptions: tls.ConnectionOptions | undefined,
    private readonly log: Logger,
    private readonly specs: TopicSpecs | undefined,
  ) {
    this.maxQueueBytes = config.maxQueueBytes;
    this.sender = new LinkSender({
      queue,
      log,
      ...config,
      tls: tlsOptions,
      onAcked: () => {
        this.age.done(this.sender.stats.seqAcked);
        this.trim();
      },
    });
    this.age.appended(queue.head);
    const heartbeat = config.heartbeat;
    if (heartbeat !== undefined) {
      this.heartbeats = setInterval(() => this.beat(config.link, heartbeat.topic), heartbeat.intervalMs);
      this.heartbeats.unref();
    }
  }

  /** `tlsOptions`: the config's `tls` with its files read; `specs`: the source topics' specs to ship (topicSpecs). */
  static async open(dir: string, config: LinkSenderConfig, tlsOptions: tls.ConnectionOptions | undefined, log: Logger, specs?: TopicSpecs): Promise<SenderSide> {
    const queue = await DiskQueue.open(dir, config.queueSegmentBytes);
    const side = new SenderSide(queue, await QueuedOffsets.load(queue, dir), config, tlsOptions, log, specs);
    side.sender.start();
    return side;
  }

  /** Queues the records not queued yet; resolves once they are durable. Waits while the queue is full. */
  async append(records: readonly WireRecord[], signal: AbortSignal): Promise<void> {
    while (this.queue.sizeBytes >= this.maxQueueBytes) {
      signal.throwIfAborted();
      if (this.blockedSince === undefined) {
        this.blockedSince = Date.now();
        this.log.warn({ bytes: this.queue.sizeBytes, max: this.maxQueueBytes }, `link queue full (${this.queue.sizeBytes} bytes, maxQueueBytes ${this.maxQueueBytes}): holding the source back until the receiver acknowledges`);
      }
      this.trim();
      await this.room.wait(200);
    }
    this.blockedSince = undefined;
    await this.serial(async () => {
      const fresh = this.offsets.fresh(records);
      const queued = this.specs === undefined ? fresh : await this.specs.attach(fresh);
      const last = await this.queue.append(queued);
      this.offsets.note(queued, last);
      this.specs?.queued(queued);
      this.age.appended(last);
      for (const [topic, t] of byTopic(queued)) this.sender.topics.add(topic, 'queued', t.records);
    });
    this.sender.notify();
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeats);
    await this.sender.stop();
    await this.trimming;
    await this.chain;
    await this.queue.close();
    await this.specs?.close();
  }

  /**
   * Queues a heartbeat, as an append does a batch (noted, so the offsets snapshot keeps covering
   * the queue). Skipped while the previous one is still being queued, or while the queue is full
   * (the source is held back then, and the age of the queue says more than a heartbeat would).
   */
  private beat(link: string, topic: string): void {
    if (this.beating || this.queue.sizeBytes >= this.maxQueueBytes) return;
    this.beating = true;
    const record = heartbeatRecord(link, topic, Date.now(), this.heartbeatsQueued === 0);
    this.serial(async () => {
      const last = await this.queue.append([record]);
      this.offsets.note([record], last);
      this.age.appended(last);
      this.sender.topics.add(topic, 'queued', 1);
      this.heartbeatsQueued++;
    })
      .then(
        () => this.sender.notify(),
        (err: unknown) => this.log.warn({ err: (err as Error).message }, `link ${link}: queueing a heartbeat failed: ${(err as Error).message}`),
      )
      .finally(() => (this.beating = false));
  }

  /** Deletes the segments the receiver has acknowledged, once the offsets they held are saved. */
  private trim(): void {
    if (this.trimming !== undefined || !this.queue.canTrim(this.sender.stats.seqAcked)) return;
    this.trimming = (async () => {
      try {
        while (this.queue.canTrim(this.sender.stats.seqAcked)) {
          const acked = this.sender.stats.seqAcked;
          await this.serial(() => this.offsets.save());
          await this.queue.trimThrough(acked);
          this.room.notify();
        }
      } catch (err) {
        this.log.error({ err: (err as Error).message }, `link queue: trimming failed: ${(err as Error).message}`);
      } finally {
        this.trimming = undefined;
      }
    })();
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
