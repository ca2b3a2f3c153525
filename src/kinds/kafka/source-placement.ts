import { InvalidConfig } from '../../core/errors.js';
import type { DeadRecord } from '../../actors/io.js';
import type { Batch } from '../../streams/batch.js';
import type { LogRecord } from '../../streams/record.js';
import type { Logger } from 'pino';
import type { TextOrBytes } from '../../core/text-or-bytes.js';
import { TOPIC_SPEC_HEADER, keepingLocal, mirrorable, parseTopicSpec, sameConfigs } from '../../link/topic-spec.js';
import type { TopicAdmin, TopicSpec } from '../../transport/message-log.js';
import { TOPIC_NAME } from '../../core/topic-name.js';
import { DestinationSequences, LINK_SEQ_HEADER, alreadyWritten, linkOf, linkSeqValue } from './link-sequence.js';

/** The destination topic already matches the source's spec: its configs, and at least its partitions (they are never removed). */
function follows(destination: TopicSpec, source: TopicSpec): boolean {
  return destination.partitions >= source.partitions && sameConfigs(mirrorable(destination).configs, source.configs);
}

/** What a batch comes to under `partition: source`: the records to send, the bad, and how many were in the destination already. */
export interface Placed {
  records: LogRecord[];
  dead: DeadRecord[];
  skipped: number;
  /** Per topic and partition, the highest sequence number among `records` (linkSequence only). */
  sequences: Map<string, Map<number, number>>;
}

/**
 * A kafka sink's `partition: source`: each record goes to the partition number it had in the
 * source (carried by the mirror link), in a topic that must have at least that many partitions
 * (never remapped); a missing topic is created from the source topic's spec when the sender
 * shipped one ({@link TOPIC_SPEC_HEADER}, stripped from the record), and an existing one is made
 * to follow each spec that comes (partitions added, configs replaced). With `linkSequence`, each record also carries its link sequence
 * number in the {@link LINK_SEQ_HEADER} header, and records at or below the last number in their
 * destination partition are left out: a receiver restarted after a crash does not produce again
 * what reached the destination.
 */
export class SourcePlacement {
  private readonly counts = new Map<string, number>();
  /** Source topic specs that came over the link (sender's topicSpecs), by destination topic; `follow` false for a create-only one. */
  private readonly specs = new Map<string, { spec: TopicSpec; follow: boolean }>();
  private readonly sequences: DestinationSequences;
  skipped = 0;

  constructor(
    private readonly admin: TopicAdmin,
    private readonly actor: string,
    private readonly linkSequence: boolean,
    private readonly log: Logger,
  ) {
    this.sequences = new DestinationSequences(admin);
  }

  /** At (re)connect: what the destination holds is read again. */
  reset(): void {
    this.counts.clear();
    this.sequences.reset();
  }

  async place(batch: Batch, topicOf: (record: LogRecord) => string): Promise<Placed> {
    const link = this.linkSequence ? linkOf(batch.origin) : undefined;
    if (this.linkSequence && link === undefined) {
      throw new InvalidConfig(
        `kafka sink ${this.actor}: linkSequence needs batches straight from a link source (with their sequence numbers), got origin ${JSON.stringify(batch.origin?.stream ?? null)}; put the sink right after the link source, with no stage in between`,
      );
    }
    const placed: Placed = { records: [], dead: [], skipped: 0, sequences: new Map() };
    for (const [i, record] of batch.records.entries()) {
      const p = record.partition;
      if (p === undefined) {
        placed.dead.push({ record, reason: 'record has no source partition (partition: source takes records from a link source)' });
        continue;
      }
      const topic = topicOf(record);
      // A bad topic name is the sink's to dead-letter.
      if (!TOPIC_NAME.test(topic)) {
        placed.records.push(record);
        continue;
      }
      const mirrored = this.takeSpec(topic, record);
      await this.check(topic, p);
      if (link === undefined) {
        placed.records.push(mirrored);
        continue;
      }
      const seq = link.seqs[i] as number;
      if (alreadyWritten(seq, await this.sequences.lastOf(link.link, topic, p))) {
        placed.skipped += 1;
        continue;
      }
      placed.records.push({ ...mirrored, headers: { ...mirrored.headers, [LINK_SEQ_HEADER]: linkSeqValue(link.link, seq) } });
      let ofTopic = placed.sequences.get(topic);
      if (ofTopic === undefined) placed.sequences.set(topic, (ofTopic = new Map()));
      ofTopic.set(p, seq);
    }
    this.skipped += placed.skipped;
    return placed;
  }

  /** After the placed records were written. */
  written(placed: Placed): void {
    for (const [topic, partitions] of placed.sequences) for (const [p, seq] of partitions) this.sequences.wrote(topic, p, seq);
  }

  /** The record without the topic spec header; a spec it carries is noted (and the topic checked again). */
  private takeSpec(topic: string, record: LogRecord): LogRecord {
    const value = record.headers?.[TOPIC_SPEC_HEADER];
    if (value === undefined) return record;
    const spec = parseTopicSpec(value);
    if (spec !== undefined) {
      this.specs.set(topic, { spec: mirrorable(spec), follow: spec.createOnly !== true });
      this.counts.delete(topic);
    }
    const headers: Record<string, TextOrBytes> = { ...record.headers };
    delete headers[TOPIC_SPEC_HEADER];
    const stripped: LogRecord = { ...record };
    if (Object.keys(headers).length > 0) stripped.headers = headers;
    else delete stripped.headers;
    return stripped;
  }

  async close(): Promise<void> {
    await this.admin.close();
  }

  private async check(topic: string, partition: number): Promise<void> {
    const known = this.counts.get(topic);
    if (known !== undefined && partition < known) return;
    const shipped = this.specs.get(topic);
    const spec = shipped?.spec;
    const existing = await this.admin.describe(topic);
    let count = existing?.partitions;
    if (count === undefined && spec !== undefined) {
      await this.admin.createTopic(topic, spec);
      this.log.info({ actor: this.actor, topic, ...spec }, `kafka sink ${this.actor}: created topic ${topic} as in the source: ${spec.partitions} partitions, configs ${JSON.stringify(spec.configs)}`);
      count = spec.partitions;
    } else if (existing !== undefined && spec !== undefined && shipped?.follow === true && !follows(existing, spec)) {
      await this.admin.follow(topic, keepingLocal(spec, existing));
      count = Math.max(existing.partitions, spec.partitions); // follow adds partitions up to the spec's, never removes any
      this.log.info({ actor: this.actor, topic, was: existing, now: spec }, `kafka sink ${this.actor}: topic ${topic} follows the source: ${count} partitions (was ${existing.partitions}), configs ${JSON.stringify(spec.configs)} (were ${JSON.stringify(existing.configs)})`);
    }
    const needed = Math.max(partition + 1, spec?.partitions ?? 0);
    const fix = `the destination topic needs the source topic's partition count (at least ${needed}); partition: source never moves a record to another partition`;
    if (count === undefined) {
      throw new InvalidConfig(
        `kafka sink ${this.actor}: topic ${topic} does not exist in the destination and no spec of it came over the link: create it (kafka-topics.sh --create --topic ${topic} --partitions <source count>), or set topicSpecs: true on the link sink; ${fix}`,
      );
    }
    if (count < needed) {
      throw new InvalidConfig(
        `kafka sink ${this.actor}: topic ${topic} has ${count} partitions in the destination and the source has ${needed} or more: add partitions (kafka-topics.sh --alter --topic ${topic} --partitions <source count>); ${fix}`,
      );
    }
    this.counts.set(topic, count);
  }
}
