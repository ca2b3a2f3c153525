import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { createKafka, type KafkaTransport } from '../../transport/kafka-client.js';
import type { GroupOffsets } from '../../link/group-offsets.js';

/**
 * Reads, on the source cluster, the offsets that the consumer groups matching `groups` committed
 * for the topics the link mirrors (for checkpoints: docs/decisions/mirror-link.md). Groups with
 * nothing committed for those topics are left out.
 */
export class SourceGroupOffsets {
  private readonly admin: Admin;
  private connected: Promise<void> | undefined;

  constructor(
    transport: KafkaTransport,
    log: Logger,
    private readonly link: string,
    private readonly groups: RegExp,
  ) {
    this.admin = createKafka(transport, log).admin();
  }

  async read(topics: readonly string[]): Promise<GroupOffsets[]> {
    if (topics.length === 0) return [];
    await this.connect();
    const ts = Date.now();
    const { groups } = await this.admin.listGroups();
    const out: GroupOffsets[] = [];
    for (const { groupId } of groups.filter((g) => this.groups.test(g.groupId))) {
      const committed = await this.admin.fetchOffsets({ groupId, topics: [...topics] });
      const offsets = committed.flatMap(({ topic, partitions }) =>
        partitions.filter((p) => Number(p.offset) >= 0).map((p) => ({ topic, partition: p.partition, offset: Number(p.offset) })),
      );
      if (offsets.length > 0) out.push({ link: this.link, group: groupId, ts, offsets });
    }
    return out;
  }

  /** Connects once; a failed attempt is forgotten, so the next call tries again. */
  private connect(): Promise<void> {
    this.connected ??= this.admin.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async close(): Promise<void> {
    if (this.connected !== undefined) await this.admin.disconnect().catch(() => undefined);
  }
}
