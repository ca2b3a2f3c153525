import type { Logger } from 'pino';
import type { KafkaTransport } from '../../transport/kafka-client.js';
import { LazyAdmin } from '../../transport/lazy-admin.js';

/** A partition's translated offset, to be committed for a group on the destination. */
export interface GroupPosition {
  topic: string;
  partition: number;
  offset: number;
}

/** What a sync did: committed some offsets, found nothing to move forward, or left a group that has members on the destination alone. */
export type SyncResult = 'synced' | 'unchanged' | 'active';

/**
 * Commits checkpoints as a group's offsets on the destination cluster (the checkpoint stage's
 * syncGroupOffsets), so a consumer that moves there only changes its bootstrap servers. Only a
 * group with no member on the destination is touched (Kafka refuses offsets for an active group,
 * and its own commits win), and only forward: an offset the group committed there is never moved
 * back.
 */
export class GroupOffsetSync {
  private readonly admin: LazyAdmin;

  constructor(transport: KafkaTransport, log: Logger) {
    this.admin = new LazyAdmin(transport, log);
  }

  async sync(group: string, positions: readonly GroupPosition[]): Promise<SyncResult> {
    const admin = await this.admin.get();
    const { groups } = await admin.describeGroups([group]);
    const state = groups[0]?.state;
    if (state !== undefined && state !== 'Empty' && state !== 'Dead') return 'active';
    const topics = [...new Set(positions.map((p) => p.topic))];
    const current = new Map<string, number>();
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group, topics })) {
      for (const p of partitions) current.set(`${topic}/${p.partition}`, Number(p.offset));
    }
    let moved = false;
    for (const topic of topics) {
      const forward = positions.filter((p) => p.topic === topic && p.offset > (current.get(`${topic}/${p.partition}`) ?? -1));
      if (forward.length === 0) continue;
      await admin.setOffsets({ groupId: group, topic, partitions: forward.map((p) => ({ partition: p.partition, offset: String(p.offset) })) });
      moved = true;
    }
    return moved ? 'synced' : 'unchanged';
  }

  close(): Promise<void> {
    return this.admin.close();
  }
}
