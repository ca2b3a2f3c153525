import kafkajs, { type PartitionMetadata } from 'kafkajs';
import type { Share } from '../core/shared-resources.js';
import type { LogEntry } from '../log/index.js';
import { acquireEmbeddedLog, type EmbeddedLogLease } from './embedded-log-pool.js';
import { ensureTopic } from './embedded-topics.js';
import type { LogProducer, OutgoingMessage } from './message-log.js';
import { bytesOf } from '../core/text-or-bytes.js';

/** kafkajs' partitioner wants broker metadata; on the embedded log every partition is local. */
function localPartitions(count: number): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0] }));
}

/**
 * Appends to the embedded log. Keys are partitioned with the same murmur2 partitioner as on Kafka
 * (kafkajs' default, the Java client's), so a key maps to the same partition number on both
 * transports for the same partition count. `send` resolves once the log has the records (written
 * to the OS: they survive a process crash; with the log's interval fsync a machine crash may lose
 * the last moments). Compression and acks do not apply to a local log.
 */
export class EmbeddedLogProducer implements LogProducer {
  private lease: EmbeddedLogLease | undefined;
  private readonly partitioner = kafkajs.Partitioners.DefaultPartitioner();
  private readonly metadata = new Map<number, PartitionMetadata[]>();

  constructor(
    private readonly dir: string,
    private readonly share: Share,
  ) {}

  async connect(): Promise<void> {
    this.lease ??= await acquireEmbeddedLog(this.dir, this.share);
  }

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    const log = this.lease?.resource;
    if (log === undefined) throw new Error('embedded producer is not connected');
    await ensureTopic(log, topic);
    const count = log.partitionCount(topic);
    let partitionMetadata = this.metadata.get(count);
    if (partitionMetadata === undefined) this.metadata.set(count, (partitionMetadata = localPartitions(count)));
    const byPartition = new Map<number, LogEntry[]>();
    for (const m of messages) {
      const partition = m.partition ?? this.partitioner({ topic, partitionMetadata, message: { key: m.key === undefined ? null : typeof m.key === 'string' ? m.key : bytesOf(m.key), value: m.value } });
      let list = byPartition.get(partition);
      if (list === undefined) byPartition.set(partition, (list = []));
      const record: LogEntry = { value: m.value, ts: m.timestamp ?? Date.now() };
      if (m.key !== undefined) record.key = m.key;
      if (m.headers !== undefined) record.headers = m.headers;
      list.push(record);
    }
    await Promise.all([...byPartition].map(([partition, records]) => log.append(topic, partition, records)));
  }

  async disconnect(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release();
  }
}
