import { EndOfInput } from '../../core/errors.js';
import type { ConsumedBatch, ConsumedMessage, LogConsumer, PartitionOffset } from '../../transport/message-log.js';
import { openMessageLog } from '../../transport/open-message-log.js';
import { partitionKey } from '../../transport/partition-table.js';
import type { Json, LogRecord } from '../../streams/record.js';
import type { DeadRecord, SourceRead } from '../../actors/io.js';
import { defineSource } from '../../actors/kind.js';
import { fromMessage } from './record-mapping.js';
import { kafkaSourceConfig, type KafkaSourceConfig } from './source-config.js';
import { UntilEnd } from './until-end.js';

/**
 * Where a source stands: for every partition read so far, the offset after its last record read,
 * with the assignment epoch it was read under. Positions are cumulative, so committing the
 * highest contiguously acknowledged one commits exactly the acknowledged prefix of each partition.
 */
export type KafkaPosition = readonly PartitionOffset[];

/** Coalesces commits: one in flight, the newest offsets per partition waiting behind it. */
class OffsetCommitter {
  private readonly pending = new Map<string, PartitionOffset>();
  private running: Promise<void> | undefined;

  constructor(private readonly commit: (offsets: PartitionOffset[]) => Promise<void>) {}

  add(offsets: KafkaPosition): void {
    for (const o of offsets) {
      const key = partitionKey(o.topic, o.partition);
      const cur = this.pending.get(key);
      if (cur === undefined || o.epoch > cur.epoch || (o.epoch === cur.epoch && o.offset > cur.offset)) this.pending.set(key, o);
    }
    this.running ??= this.drain();
  }

  /** Resolves once everything added so far is committed (or skipped). */
  async flush(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const batch = [...this.pending.values()];
        this.pending.clear();
        await this.commit(batch);
      }
    } finally {
      this.running = undefined;
    }
  }
}

/**
 * The `kafka` source: a consumer group member on Kafka, or on the embedded log when the
 * topology's transport is `embedded`. Each replica is one member of the group; several millrace
 * processes with the same group share the partitions.
 *
 * Delivery: at-least-once. Auto-commit is off: a partition's offset is committed only after every
 * record before it was acknowledged downstream. After a crash, a restart, or a rebalance, records
 * read but not yet committed are delivered again. Backpressure: fetched batches wait in a bounded
 * buffer; when downstream stops pulling, the buffer fills and the partitions are paused.
 * Undecodable values (encoding json/msgpack) are dead-lettered with reason and their own
 * `topic/partition@offset` as position (their raw bytes as the value) and counted in
 * `status().undecodable`. A MessagePack value must be a map, a string or bytes holding only JSON
 * values: 0xC1 and extension types (timestamps) are undecodable.
 *
 * @example
 * # topology.yaml
 * nodes:
 *   in:
 *     kind: kafka
 *     config: { group: indexers, topics: [logs], start: earliest, encoding: json }
 */
/** The next batch with messages to emit; with `until: end`, only those before the ends, and EndOfInput once the group committed them all. */
async function nextBatch(consumer: LogConsumer, untilEnd: UntilEnd | undefined): Promise<{ batch: ConsumedBatch; messages: ConsumedMessage[] }> {
  if (untilEnd === undefined) {
    const batch = await consumer.next();
    return { batch, messages: batch.messages };
  }
  for (;;) {
    if (await untilEnd.reached()) throw new EndOfInput();
    const batch = await untilEnd.next();
    const messages = batch === undefined ? [] : untilEnd.cut(batch);
    if (batch !== undefined && messages.length > 0) return { batch, messages };
  }
}

export const kafkaSourceKind = defineSource({
  name: 'kafka',
  example: { topics: ['events'] },
  description: 'Consumes Kafka topics (or the embedded log) as a consumer group; commits after end-to-end acknowledgement.',
  config: kafkaSourceConfig,
  create(config: KafkaSourceConfig, ctx) {
    const transport = config.cluster ?? ctx.transport;
    const log = openMessageLog(transport, ctx.log, ctx.shared);
    const group = config.group ?? ctx.id;
    const topics = config.topics ?? new RegExp(config.topicPattern as string);
    const latest = new Map<string, PartitionOffset>();
    let consumer: LogConsumer | undefined;
    let untilEnd: UntilEnd | undefined;
    let undecodable = 0;
    const committer = new OffsetCommitter(async (offsets) => {
      await consumer?.commit(offsets);
    });
    return {
      async connect() {
        await consumer?.disconnect();
        consumer = log.consumer({
          group,
          topics,
          start: config.start,
          offsetOutOfRange: config.offsetOutOfRange,
          maxBufferedRecords: config.maxBufferedRecords,
          maxBufferedBytes: config.maxBufferedBytes,
          sessionTimeoutMs: config.sessionTimeoutMs,
          fetchBytesPerPartition: config.fetchBytesPerPartition,
          topicRefreshMs: config.topicRefreshMs,
        });
        await consumer.connect();
        if (config.until === 'end') untilEnd = await UntilEnd.start(consumer, config.start);
      },
      async read(): Promise<SourceRead<KafkaPosition>> {
        if (consumer === undefined) throw new Error(`kafka source ${ctx.id} is not connected`);
        const { batch, messages } = await nextBatch(consumer, untilEnd);
        const records: LogRecord[] = [];
        const positions: number[] = [];
        const dead: DeadRecord[] = [];
        for (const m of messages) {
          const mapped = fromMessage(m, config.encoding);
          if (mapped.ok) {
            records.push(mapped.record);
            positions.push(m.offset);
          } else {
            const position = `${batch.topic}/${batch.partition}@${m.offset}`;
            dead.push({ record: mapped.record, reason: `${position}: ${mapped.reason}`, position });
          }
        }
        undecodable += dead.length;
        const first = messages[0]?.offset ?? 0;
        const last = messages[messages.length - 1]?.offset ?? first;
        latest.set(partitionKey(batch.topic, batch.partition), { topic: batch.topic, partition: batch.partition, offset: last + 1, epoch: batch.epoch });
        const read: SourceRead<KafkaPosition> = {
          records,
          position: [...latest.values()],
          label: `${batch.topic}/${batch.partition}@${first}..${last}`,
          origin: { stream: partitionKey(batch.topic, batch.partition), start: first - 1, end: last, positions },
        };
        if (dead.length > 0) read.dead = dead;
        return read;
      },
      commit(position: unknown) {
        committer.add(position as KafkaPosition);
      },
      async close() {
        await committer.flush();
        await consumer?.disconnect();
        consumer = undefined;
      },
      status() {
        const partitions: Json[] = (consumer?.status() ?? []).map((p) => ({ ...p }));
        return { transport: log.kind, group, partitions, undecodable };
      },
    };
  },
});
