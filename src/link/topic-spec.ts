import { textOf, type TextOrBytes } from '../core/text-or-bytes.js';
import type { TopicAdmin, TopicSpec } from '../transport/message-log.js';
import type { WireRecord } from './wire-record.js';

/**
 * Header on the first record of a topic a sender process queues: the source topic's spec (JSON),
 * so the receiver's kafka sink (`partition: source`) creates a missing destination topic alike.
 * It rides in the record, so it is queued, sequenced and resent with it.
 */
export const TOPIC_SPEC_HEADER = 'millrace.topic-spec';

/** The spec in a header value, or undefined when it is not one. */
export function parseTopicSpec(value: TextOrBytes | undefined): TopicSpec | undefined {
  if (value === undefined) return undefined;
  try {
    const spec = JSON.parse(textOf(value)) as Partial<TopicSpec>;
    if (!Number.isSafeInteger(spec.partitions) || (spec.partitions as number) < 1 || typeof spec.configs !== 'object' || spec.configs === null) return undefined;
    const configs = Object.entries(spec.configs).filter((e): e is [string, string] => typeof e[1] === 'string');
    return { partitions: spec.partitions as number, configs: Object.fromEntries(configs) };
  } catch {
    return undefined;
  }
}

/** The sender's side: reads each source topic's spec once per process and puts it on the topic's first record. */
export class TopicSpecs {
  private readonly shipped = new Set<string>();

  constructor(private readonly admin: TopicAdmin) {}

  /** `records` with the spec header on the first of each topic not shipped yet (records from no topic partition are left alone). */
  async attach(records: readonly WireRecord[]): Promise<WireRecord[]> {
    const out = [...records];
    const seen = new Set<string>();
    for (const [i, r] of records.entries()) {
      if (r.partition < 0 || this.shipped.has(r.topic) || seen.has(r.topic)) continue;
      seen.add(r.topic);
      const spec = await this.admin.describe(r.topic);
      if (spec !== undefined) out[i] = { ...r, headers: [...r.headers, [TOPIC_SPEC_HEADER, Buffer.from(JSON.stringify(spec))]] };
    }
    return out;
  }

  /** The records were queued: their topics' specs are on their way. */
  queued(records: readonly WireRecord[]): void {
    for (const r of records) if (r.headers.some(([name]) => name === TOPIC_SPEC_HEADER)) this.shipped.add(r.topic);
  }

  async close(): Promise<void> {
    await this.admin.close();
  }
}
