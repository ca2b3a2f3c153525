import type { DeadRecord } from '../../actors/io.js';
import { defineStage } from '../../actors/kind.js';
import { errorMessage, InvalidConfig } from '../../core/errors.js';
import { textOf } from '../../core/text-or-bytes.js';
import { groupOffsetsValue, type GroupOffsets } from '../../link/group-offsets.js';
import { destinationOffsetFor, SOURCE_OFFSET_HEADER, type DestinationEntry } from '../../link/offset-translation.js';
import { openMessageLog } from '../../transport/open-message-log.js';
import type { ConsumedMessage, TopicAdmin } from '../../transport/message-log.js';
import { payloadText, type LogRecord } from '../../streams/record.js';
import { checkpointConfig, type CheckpointConfig } from './checkpoint-config.js';
import { GroupOffsetSync } from './group-offset-sync.js';

/** One checkpoint record's value. */
export interface Checkpoint {
  link: string;
  group: string;
  topic: string;
  partition: number;
  /** The group's committed offset on the source partition. */
  sourceOffset: number;
  /** The destination offset a consumer of the group goes on from. */
  destinationOffset: number;
  /** When the sender read the group's offsets. */
  ts: number;
}

function entryOf(m: ConsumedMessage): DestinationEntry {
  const header = m.headers[SOURCE_OFFSET_HEADER];
  const sourceOffset = header === undefined ? Number.NaN : Number(textOf(header));
  return { offset: m.offset, sourceOffset: Number.isSafeInteger(sourceOffset) && sourceOffset >= 0 ? sourceOffset : undefined };
}

function parse(record: LogRecord): GroupOffsets {
  const json: unknown = typeof record.value === 'object' && !(record.value instanceof Uint8Array) ? record.value : JSON.parse(payloadText(record.value));
  return groupOffsetsValue.parse(json);
}

/**
 * The `checkpoint` stage: a group's source offsets in, its destination offsets out, partition by
 * partition (src/link/offset-translation.ts). A partition missing at the destination (the topic
 * not created yet, or fewer partitions) is skipped and counted in `pending`: the next
 * group-offsets record of the group tries again. A record that is not a group-offsets value is
 * dead-lettered with the reason.
 *
 * @example
 * nodes:
 *   offsets: { kind: kafka, config: { topics: [millrace.group-offsets], encoding: json } }
 *   translate: { kind: checkpoint, inputs: [offsets] }
 *   checkpoints: { kind: kafka, inputs: [translate], config: { topic: millrace.checkpoints } }
 */
export const checkpointKind = defineStage({
  name: 'checkpoint',
  example: {},
  description: "Translates a mirror link's group-offsets records into destination offsets (checkpoints), exactly, by the records' source offsets.",
  config: checkpointConfig,
  create(config: CheckpointConfig, ctx) {
    const cluster = config.cluster ?? ctx.transport;
    if (config.syncGroupOffsets && cluster.type !== 'kafka')
      throw new InvalidConfig(`checkpoint ${ctx.id}: syncGroupOffsets commits offsets on a Kafka cluster, and the destination here is ${cluster.type}; set cluster (or the topology's transport) to the Kafka cluster, or remove syncGroupOffsets`);
    const sync = config.syncGroupOffsets && cluster.type === 'kafka' ? new GroupOffsetSync(cluster, ctx.log) : undefined;
    let admin: TopicAdmin | undefined;
    const counts = { translated: 0, pending: 0, unmarked: 0, synced: 0, unchanged: 0, groupActive: 0 };
    const adminOf = (): TopicAdmin => (admin ??= openMessageLog(cluster, ctx.log, ctx.shared).admin());

    /** `partitions`: destination topics' partition counts read so far in this batch (groups share topics). */
    async function translate(g: GroupOffsets, partitions: Map<string, number>): Promise<Checkpoint[]> {
      const out: Checkpoint[] = [];
      for (const { topic, partition, offset } of g.offsets) {
        if (!partitions.has(topic)) partitions.set(topic, (await adminOf().describe(topic))?.partitions ?? 0);
        if (partition >= (partitions.get(topic) as number)) {
          counts.pending++;
          continue;
        }
        const { low, high } = await adminOf().range(topic, partition);
        const read = async (from: number): Promise<DestinationEntry[]> => (await adminOf().read(topic, partition, from)).map(entryOf);
        const destinationOffset = await destinationOffsetFor(offset, low, high, read);
        if (destinationOffset === undefined) {
          if (counts.unmarked++ === 0)
            ctx.log.warn({ topic, partition }, `checkpoint: ${topic}/${partition} holds records but none with the ${SOURCE_OFFSET_HEADER} header, so its offsets cannot be translated: set sourceOffsetHeader: true on the link receiver`);
          continue;
        }
        out.push({ link: g.link, group: g.group, topic, partition, sourceOffset: offset, destinationOffset, ts: g.ts });
      }
      counts.translated += out.length;
      if (sync !== undefined && out.length > 0) {
        const result = await sync.sync(g.group, out.map((c) => ({ topic: c.topic, partition: c.partition, offset: c.destinationOffset })));
        counts[result === 'active' ? 'groupActive' : result]++;
      }
      return out;
    }

    return {
      async process(batch) {
        const records: LogRecord[] = [];
        const dead: DeadRecord[] = [];
        const partitions = new Map<string, number>();
        for (const record of batch.records) {
          let value: GroupOffsets;
          try {
            value = parse(record);
          } catch (error) {
            dead.push({ record, reason: `checkpoint: not a group-offsets record: ${errorMessage(error)}` });
            continue;
          }
          // A failure to read the destination is the cluster's, not the record's: the batch is retried.
          for (const c of await translate(value, partitions)) records.push({ key: `${c.group}/${c.topic}/${c.partition}`, value: { ...c }, ts: c.ts });
        }
        return { records, dead };
      },
      async close() {
        await admin?.close();
        admin = undefined;
        await sync?.close();
      },
      status() {
        return { ...counts };
      },
    };
  },
});
