import type tls from 'node:tls';
import type { Logger } from 'pino';
import { DiskQueue } from '../../link/disk-queue.js';
import { LinkSender } from '../../link/sender.js';
import { Wake } from '../../core/wake.js';
import { byTopic, QueueAge } from '../../link/link-metrics.js';
import type { WireRecord } from '../../link/wire-record.js';
import { heartbeatRecord } from '../../link/heartbeat.js';
import { groupOffsetsRecord } from '../../link/group-offsets.js';
import type { SourceGroupOffsets } from './source-group-offsets.js';
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
  /** Group-offsets records queued by this process (config.checkpoints), and reads of the groups that failed. */
  groupOffsetsQueued = 0;
  groupOffsetsFailed = 0;
  private readonly maxQueueBytes: number;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Control records (heartbeats, group offsets) being queued, by topic: one at a time each. */
  private readonly controlling = new Set<string>();

  private constructor(
    readonly queue: DiskQueue,
    private readonly offsets: QueuedOffsets,
    config: LinkSenderConfig,
    tlsOptions: tls.ConnectionOptions | undefined,
    private readonly log: Logger,
    private readonly specs: TopicSpecs | undefined,
    private readonly groups: SourceGroupOffsets | undefined,
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
    const { heartbeat, checkpoints } = config;
    if (heartbeat !== undefined) this.every(heartbeat.intervalMs, () => this.beat(config.link, heartbeat.topic));
    if (checkpoints !== undefined && groups !== undefined) this.every(checkpoints.intervalMs, () => this.sendGroupOffsets(groups, checkpoints.topic));
  }

  private every(ms: number, tick: () => void): void {
    const timer = setInterval(tick, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** `tlsOptions`: the config's `tls` with its files read; `specs`: the source topics' specs to ship (topicSpecs). */
  /** `groups`: the source cluster's group offsets (config.checkpoints). */
  static async open(
    dir: string,
    config: LinkSenderConfig,
    tlsOptions: tls.ConnectionOptions | undefined,
    log: Logger,
    specs?: TopicSpecs,
    groups?: SourceGroupOffsets,
  ): Promise<SenderSide> {
    const queue = await DiskQueue.open(dir, config.queueSegmentBytes);
    const side = new SenderSide(queue, await QueuedOffsets.load(queue, dir), config, tlsOptions, log, specs, groups);
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
    for (const timer of this.timers) clearInterval(timer);
    await this.sender.stop();
    await this.trimming;
    await this.chain;
    await this.queue.close();
    await this.specs?.close();
    await this.groups?.close();
  }

  private beat(link: string, topic: string): void {
    void this.queueControl(topic, 'a heartbeat', async () => [heartbeatRecord(link, topic, Date.now(), this.heartbeatsQueued === 0)]).then((n) => (this.heartbeatsQueued += n));
  }

  /** Reads the source groups' offsets for the topics queued so far and queues one record per group. */
  private sendGroupOffsets(groups: SourceGroupOffsets, topic: string): void {
    void this.queueControl(topic, 'group offsets', async () => {
      try {
        return (await groups.read(this.offsets.topics())).map((g, i) => groupOffsetsRecord(g, topic, this.groupOffsetsQueued + i === 0));
      } catch (err) {
        this.groupOffsetsFailed++;
        throw err;
      }
    }).then((n) => (this.groupOffsetsQueued += n));
  }

  /**
   * Queues records the sender makes itself, as an append does a batch (noted, so the offsets
   * snapshot keeps covering the queue); resolves with how many were queued (0 on a failure, which
   * is logged: the next tick tries again). Skipped while the previous ones of `topic` are still
   * being queued, or while the queue is full (the source is held back then, and the age of the
   * queue says more than a heartbeat would).
   */
  private async queueControl(topic: string, what: string, make: () => Promise<WireRecord[]>): Promise<number> {
    if (this.controlling.has(topic) || this.queue.sizeBytes >= this.maxQueueBytes) return 0;
    this.controlling.add(topic);
    try {
      const records = await make();
      if (records.length === 0) return 0;
      await this.serial(async () => {
        const last = await this.queue.append(records);
        this.offsets.note(records, last);
        this.age.appended(last);
        this.sender.topics.add(topic, 'queued', records.length);
      });
      this.sender.notify();
      return records.length;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, `link: queueing ${what} failed: ${(err as Error).message}`);
      return 0;
    } finally {
      this.controlling.delete(topic);
    }
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
