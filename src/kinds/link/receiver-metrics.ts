import { byTopic, QueueAge, TopicCounters } from '../../link/link-metrics.js';
import type { WireRecord } from '../../link/wire-record.js';

/**
 * What the `link` source shows beyond the receiver's counters: per source topic the records
 * persisted and delivered downstream, the age of the oldest record not delivered yet, and the
 * replication latency: when downstream commits a batch (for a kafka sink: the destination
 * acknowledged it), now minus the newest source timestamp in it.
 */
export class ReceiverMetrics {
  private readonly age = new QueueAge();
  private readonly topics = new TopicCounters();
  /** Batches handed downstream and not committed yet, by the position they end at. */
  private readonly pending: { position: number; topics: Map<string, { records: number; newestTs: number }> }[] = [];
  private latencyMs: number | null = null;

  /** The queue's end and what downstream had taken when it opened (records waiting then count from now). */
  constructor(queued: number, delivered: number) {
    if (queued > delivered) this.age.appended(queued);
  }

  persisted(records: readonly Pick<WireRecord, 'topic' | 'ts'>[], last: number): void {
    this.age.appended(last);
    for (const [topic, t] of byTopic(records)) this.topics.add(topic, 'persisted', t.records);
  }

  read(records: readonly WireRecord[], position: number): void {
    this.pending.push({ position, topics: byTopic(records) });
  }

  committed(position: number, now = Date.now()): void {
    this.age.done(position);
    while (this.pending.length > 0 && (this.pending[0] as { position: number }).position <= position) {
      const batch = this.pending.shift() as { topics: Map<string, { records: number; newestTs: number }> };
      for (const [topic, t] of batch.topics) {
        this.topics.add(topic, 'delivered', t.records);
        this.topics.set(topic, 'latencyMs', now - t.newestTs);
        this.latencyMs = now - t.newestTs;
      }
    }
  }

  /** Reading from `position` again (reconnected downstream): what was read but not committed is read again. */
  rewind(position: number): void {
    while (this.pending.length > 0 && (this.pending[this.pending.length - 1] as { position: number }).position > position) this.pending.pop();
  }

  status(): Record<string, number | null> {
    return { queueAgeMs: this.age.ageMs(), replicationLatencyMs: this.latencyMs, ...this.topics.flat() };
  }
}
