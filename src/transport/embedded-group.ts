import type { EmbeddedLog } from '../log/index.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A consumer in an embedded group: what it subscribes to, and where its assignment goes. */
export interface GroupMember {
  readonly topics: readonly string[] | RegExp;
  assigned(partitions: TopicPartition[]): void;
}

/**
 * Membership and partition assignment of one consumer group on one embedded log, in this process
 * (the embedded log is single-process, so its groups are too). Every join or leave reassigns all
 * partitions of the subscribed topics round-robin over the members subscribed to each topic, like
 * Kafka's round-robin assignor, and tells every member its new assignment synchronously.
 *
 * @example
 * const group = embeddedGroup(log, 'indexers');
 * group.join({ topics: ['logs'], assigned: (parts) => console.log(parts) });
 */
export class EmbeddedGroup {
  private readonly members: GroupMember[] = [];

  constructor(private readonly log: EmbeddedLog) {}

  get size(): number {
    return this.members.length;
  }

  join(member: GroupMember): void {
    this.members.push(member);
    this.rebalance();
  }

  leave(member: GroupMember): void {
    const i = this.members.indexOf(member);
    if (i < 0) return;
    this.members.splice(i, 1);
    this.rebalance();
  }

  /** Assigns again: after topics that members' patterns match were created. */
  refresh(): void {
    this.rebalance();
  }

  private rebalance(): void {
    const existing = this.log.topics().sort();
    const subscribed = (m: GroupMember, topic: string): boolean =>
      m.topics instanceof RegExp ? m.topics.test(topic) : m.topics.includes(topic);
    const plan = new Map<GroupMember, TopicPartition[]>(this.members.map((m) => [m, []]));
    let turn = 0;
    for (const topic of existing) {
      const eligible = this.members.filter((m) => subscribed(m, topic));
      if (eligible.length === 0) continue;
      const count = this.log.partitionCount(topic);
      for (let partition = 0; partition < count; partition++) {
        const member = eligible[turn++ % eligible.length] as GroupMember;
        plan.get(member)?.push({ topic, partition });
      }
    }
    for (const [member, partitions] of plan) member.assigned(partitions);
  }
}

const groups = new WeakMap<EmbeddedLog, Map<string, EmbeddedGroup>>();

/** The group `id` of `log` in this process, created on first use. */
export function embeddedGroup(log: EmbeddedLog, id: string): EmbeddedGroup {
  let byId = groups.get(log);
  if (byId === undefined) groups.set(log, (byId = new Map()));
  let group = byId.get(id);
  if (group === undefined) byId.set(id, (group = new EmbeddedGroup(log)));
  return group;
}
