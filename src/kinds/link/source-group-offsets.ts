import type { Logger } from 'pino';
import type { KafkaTransport } from '../../transport/kafka-client.js';
import { LazyAdmin } from '../../transport/lazy-admin.js';
import type { GroupOffsets } from '../../link/group-offsets.js';

/**
 * Reads, on the source cluster, the offsets that the consumer groups matching `groups` committed
 * for the topics the link mirrors (for checkpoints: docs/decisions/mirror-link.md). Groups with
 * nothing committed for those topics are left out.
 */
export class SourceGroupOffsets {
  private readonly admin: LazyAdmin;

  constructor(
    transport: KafkaTransport,
    log: Logger,
    private readonly link: string,
    private readonly groups: RegExp,
  ) {
    this.admin = new LazyAdmin(transport, log);
  }

  async read(topics: readonly string[]): Promise<GroupOffsets[]> {
    if (topics.length === 0) return [];
    const admin = await this.admin.get();
    const ts = Date.now();
    const { groups } = await admin.listGroups();
    const out: GroupOffsets[] = [];
    for (const { groupId } of groups.filter((g) => this.groups.test(g.groupId))) {
      const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
      const offsets = committed.flatMap(({ topic, partitions }) =>
        partitions.filter((p) => Number(p.offset) >= 0).map((p) => ({ topic, partition: p.partition, offset: Number(p.offset) })),
      );
      if (offsets.length > 0) out.push({ link: this.link, group: groupId, ts, offsets });
    }
    return out;
  }

  close(): Promise<void> {
    return this.admin.close();
  }
}
