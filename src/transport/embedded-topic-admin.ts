import type { Share } from '../core/shared-resources.js';
import { toConsumed } from './embedded-consumer.js';
import { acquireEmbeddedLog, type EmbeddedLogLease } from './embedded-log-pool.js';
import type { ConsumedMessage, TopicAdmin, TopicSpec } from './message-log.js';

/** {@link TopicAdmin} of the embedded log. */
export class EmbeddedTopicAdmin implements TopicAdmin {
  private lease: Promise<EmbeddedLogLease> | undefined;

  constructor(
    private readonly dir: string,
    private readonly share: Share,
  ) {}

  /** The embedded log has no per-topic configs. */
  async describe(topic: string): Promise<TopicSpec | undefined> {
    const log = await this.log();
    return log.topics().includes(topic) ? { partitions: log.partitionCount(topic), configs: {} } : undefined;
  }

  async createTopic(topic: string, spec: TopicSpec): Promise<void> {
    await (await this.log()).createTopic(topic, { partitions: spec.partitions });
  }

  /** The embedded log has no per-topic configs and cannot add partitions to a topic: nothing changes (a shortfall of partitions is reported where a record needs one). */
  async follow(): Promise<void> {}

  async range(topic: string, partition: number): Promise<{ low: number; high: number }> {
    const log = await this.log();
    return { low: log.startOffset(topic, partition), high: log.endOffset(topic, partition) };
  }

  async read(topic: string, partition: number, offset: number): Promise<ConsumedMessage[]> {
    const { records } = await (await this.log()).read(topic, partition, offset, { maxRecords: 1000 });
    return records.map(toConsumed);
  }

  async close(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    if (lease !== undefined) await (await lease).release();
  }

  private async log(): Promise<EmbeddedLogLease['resource']> {
    this.lease ??= acquireEmbeddedLog(this.dir, this.share);
    return (await this.lease).resource;
  }
}
