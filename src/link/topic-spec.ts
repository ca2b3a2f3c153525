import { textOf, type TextOrBytes } from '../core/text-or-bytes.js';
import type { TopicAdmin, TopicSpec } from '../transport/message-log.js';
import type { WireRecord } from './wire-record.js';

/**
 * Header on a record carrying its source topic's spec (JSON): on the first record of a topic a
 * sender process queues, and again on the next one after the spec changed, so the receiver's
 * kafka sink (`partition: source`) creates a missing destination topic alike and makes an
 * existing one follow. It rides in the record, so it is queued, sequenced and resent with it.
 */
export const TOPIC_SPEC_HEADER = 'millrace.topic-spec';

/**
 * A spec as it crosses the link. `createOnly` marks the topics of the sender's own records
 * (heartbeats, group offsets): a receiver creates them where missing and never alters them, so
 * what their destination owner set on them stays.
 */
export interface ShippedSpec extends TopicSpec {
  createOnly?: true;
}

/** The spec in a header value, or undefined when it is not one. */
export function parseTopicSpec(value: TextOrBytes | undefined): ShippedSpec | undefined {
  if (value === undefined) return undefined;
  try {
    const spec = JSON.parse(textOf(value)) as Partial<ShippedSpec>;
    if (!Number.isSafeInteger(spec.partitions) || (spec.partitions as number) < 1 || typeof spec.configs !== 'object' || spec.configs === null) return undefined;
    const configs = Object.entries(spec.configs).filter((e): e is [string, string] => typeof e[1] === 'string');
    return { partitions: spec.partitions as number, configs: Object.fromEntries(configs), ...(spec.createOnly === true && { createOnly: true }) };
  } catch {
    return undefined;
  }
}

/**
 * Topic configs that stay each cluster's own, as MirrorMaker 2 leaves them by default: the
 * throttled replica lists name the source's brokers; min.insync.replicas and unclean leader
 * election depend on the destination cluster and its owner; the timestamp settings would make
 * the destination restamp or refuse the source's timestamps.
 */
const LOCAL_CONFIGS: ReadonlySet<string> = new Set([
  'follower.replication.throttled.replicas',
  'leader.replication.throttled.replicas',
  'message.timestamp.difference.max.ms',
  'message.timestamp.type',
  'unclean.leader.election.enable',
  'min.insync.replicas',
]);

function configsWhere(configs: Record<string, string>, local: boolean): Record<string, string> {
  return Object.fromEntries(Object.entries(configs).filter(([name]) => LOCAL_CONFIGS.has(name) === local));
}

/** The spec as a mirror copies it: without the configs that stay each cluster's own. */
export function mirrorable(spec: TopicSpec): TopicSpec {
  return { partitions: spec.partitions, configs: configsWhere(spec.configs, false) };
}

/** `spec` for a destination topic that has `destination`: the destination's own configs kept. */
export function keepingLocal(spec: TopicSpec, destination: TopicSpec): TopicSpec {
  return { partitions: spec.partitions, configs: { ...configsWhere(destination.configs, true), ...mirrorable(spec).configs } };
}

/** The same configs, set to the same values. */
export function sameConfigs(a: Record<string, string>, b: Record<string, string>): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((n) => b[n] === a[n]);
}

function sameSpec(a: TopicSpec, b: TopicSpec): boolean {
  return a.partitions === b.partitions && sameConfigs(a.configs, b.configs);
}

/** A topic as last described at the source. */
interface Described {
  spec: TopicSpec;
  at: number;
}

/**
 * The sender's side: describes each source topic when its first record comes, again every
 * `refreshMs` and at once for a record from a partition beyond the known count, and puts the spec
 * on the next record of the topic whenever it differs from the last one queued.
 */
export class TopicSpecs {
  private readonly described = new Map<string, Described>();
  /** The spec last queued per topic. */
  private readonly shipped = new Map<string, TopicSpec>();

  constructor(
    private readonly admin: TopicAdmin,
    private readonly refreshMs: number,
  ) {}

  /** `records` with the spec header on the first of each topic whose spec is not shipped yet (records from no topic partition are left alone). */
  async attach(records: readonly WireRecord[]): Promise<WireRecord[]> {
    // Per topic: its first record (which takes the header) and the highest partition among them.
    const topics = new Map<string, { first: number; partition: number }>();
    for (const [i, r] of records.entries()) {
      if (r.partition < 0) continue;
      const t = topics.get(r.topic);
      if (t === undefined) topics.set(r.topic, { first: i, partition: r.partition });
      else t.partition = Math.max(t.partition, r.partition);
    }
    const out = [...records];
    for (const [topic, { first, partition }] of topics) {
      const spec = await this.current(topic, partition);
      const shipped = this.shipped.get(topic);
      if (spec === undefined || (shipped !== undefined && sameSpec(shipped, spec))) continue;
      const r = records[first] as WireRecord;
      out[first] = { ...r, headers: [...r.headers, [TOPIC_SPEC_HEADER, Buffer.from(JSON.stringify(spec))]] };
    }
    return out;
  }

  /** The records were queued: the specs they carry are on their way. */
  queued(records: readonly WireRecord[]): void {
    for (const r of records) {
      const spec = parseTopicSpec(r.headers.find(([name]) => name === TOPIC_SPEC_HEADER)?.[1]);
      if (spec !== undefined) this.shipped.set(r.topic, spec);
    }
  }

  async close(): Promise<void> {
    await this.admin.close();
  }

  /** The topic's spec, described again when it is due or `partition` is beyond it. */
  private async current(topic: string, partition: number): Promise<TopicSpec | undefined> {
    const known = this.described.get(topic);
    const now = Date.now();
    if (known !== undefined && now - known.at < this.refreshMs && partition < known.spec.partitions) return known.spec;
    const described = await this.admin.describe(topic);
    if (described === undefined) return known?.spec;
    const spec = mirrorable(described);
    this.described.set(topic, { spec, at: now });
    return spec;
  }
}
