import type { WireRecord } from './wire-record.js';

/**
 * Age of the oldest record of a queue that is not done yet (sender: not acknowledged by the
 * receiver; receiver: not delivered downstream), from when each appended range came in. Records
 * found in the queue at start count from then (their arrival time was not kept).
 */
export class QueueAge {
  private readonly marks: { last: number; at: number }[] = [];

  /** Records up to sequence number `last` came in at `at`. */
  appended(last: number, at = Date.now()): void {
    if (last > (this.marks[this.marks.length - 1]?.last ?? 0)) this.marks.push({ last, at });
  }

  /** Records up to `seq` are done. */
  done(seq: number): void {
    while (this.marks.length > 0 && (this.marks[0] as { last: number }).last <= seq) this.marks.shift();
  }

  /** 0 when nothing is waiting. */
  ageMs(now = Date.now()): number {
    const oldest = this.marks[0];
    return oldest === undefined ? 0 : Math.max(0, now - oldest.at);
  }
}

/** Records of a batch per topic, with the newest timestamp of each. */
export function byTopic(records: readonly Pick<WireRecord, 'topic' | 'ts'>[]): Map<string, { records: number; newestTs: number }> {
  const out = new Map<string, { records: number; newestTs: number }>();
  for (const r of records) {
    const t = out.get(r.topic);
    if (t === undefined) out.set(r.topic, { records: 1, newestTs: r.ts });
    else {
      t.records++;
      if (r.ts > t.newestTs) t.newestTs = r.ts;
    }
  }
  return out;
}

/**
 * Counters per source topic, flattened for `status()` as `topic.<topic>.<counter>` numbers, so the
 * inspector shows them and `/metrics` exports each (millrace_kind_status{field=...}).
 */
export class TopicCounters {
  private readonly topics = new Map<string, Map<string, number>>();

  add(topic: string, counter: string, n: number): void {
    const t = this.of(topic);
    t.set(counter, (t.get(counter) ?? 0) + n);
  }

  set(topic: string, counter: string, value: number): void {
    this.of(topic).set(counter, value);
  }

  flat(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [topic, counters] of this.topics) for (const [name, n] of counters) out[`topic.${topic}.${name}`] = n;
    return out;
  }

  private of(topic: string): Map<string, number> {
    let t = this.topics.get(topic);
    if (t === undefined) this.topics.set(topic, (t = new Map()));
    return t;
  }
}
