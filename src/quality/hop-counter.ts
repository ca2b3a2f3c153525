import type { LogRecord } from '../streams/record.js';
import type { Origin } from '../streams/origin.js';
import type { HopCounts, QualityStore } from './quality-store.js';
import { latencyBucket, windowOf } from './window.js';

interface Cell {
  stream: string;
  windowStart: number;
  hop: string;
  records: number;
  duplicates: number;
  latency: Map<number, number>;
}

/** What one hop stored of a batch, to count. */
export interface Counted {
  stream: string;
  hop: string;
  records: readonly LogRecord[];
  /** Where the records come from (a Kafka partition's offsets): a record at or below the hop's mark was counted before. */
  origin?: Origin;
  /** Records of the batch the hop rejected (dead-lettered): neither delivered nor duplicated. */
  rejected?: ReadonlySet<LogRecord>;
  /** Delivery time, for the latency from each record's event time; absent: no latency kept. */
  deliveredAt?: number;
}

/**
 * Counts what a hop stored, per stream, minute window of event time and hop, in memory until
 * {@link commit} writes it to the quality tables. A record whose source position is at or below
 * what the hop already counted for its source stream (kept in the same transaction as the counts)
 * is a redelivery: counted as a duplicate, not again as delivered.
 */
export class HopCounter {
  private cells = new Map<string, Cell>();
  private raised = new Map<string, HopCounts['marks'][number]>();
  /** Positions counted up to, stored or pending: `stream\nhop\norigin` -> position. */
  private readonly marks = new Map<string, number>();
  private readonly loaded = new Map<string, Promise<void>>();
  private writing: Promise<void> = Promise.resolve();
  private next: Promise<void> | undefined;

  constructor(private readonly store: QualityStore) {}

  /** Reads what `hop` of `stream` counted before (once): call before its first {@link count}. */
  ready(stream: string, hop: string): Promise<void> {
    const key = `${stream}\n${hop}`;
    let loading = this.loaded.get(key);
    if (loading === undefined) {
      loading = this.store.marks(stream, hop).then((stored) => {
        for (const [origin, position] of stored) this.raise(stream, hop, origin, position, false);
      });
      loading.catch(() => this.loaded.delete(key));
      this.loaded.set(key, loading);
    }
    return loading;
  }

  count(c: Counted): void {
    const origin = c.origin;
    const markKey = origin === undefined ? undefined : `${c.stream}\n${c.hop}\n${origin.stream}`;
    const mark = markKey === undefined ? undefined : this.marks.get(markKey);
    const positions = origin?.positions;
    // Without per-record positions (records made by a stage), the batch's range decides for all.
    const wholeSeen = origin !== undefined && positions === undefined && mark !== undefined && origin.end <= mark;
    for (let i = 0; i < c.records.length; i++) {
      const record = c.records[i] as LogRecord;
      if (c.rejected?.has(record) === true) continue;
      const position = positions?.[i];
      const seen = wholeSeen || (position !== undefined && mark !== undefined && position <= mark);
      const cell = this.cell(c.stream, windowOf(record.ts), c.hop);
      if (seen) {
        cell.duplicates += 1;
        continue;
      }
      cell.records += 1;
      if (c.deliveredAt !== undefined) {
        const b = latencyBucket(c.deliveredAt - record.ts);
        cell.latency.set(b, (cell.latency.get(b) ?? 0) + 1);
      }
    }
    if (origin !== undefined) this.raise(c.stream, c.hop, origin.stream, origin.end, true);
  }

  /**
   * Writes what was counted so far in one transaction; resolves once what was counted before the
   * call is stored. Calls while a write runs share the next write. A failed write keeps its counts
   * for the next one.
   */
  commit(): Promise<void> {
    if (this.next === undefined) {
      const next = this.writing.then(() => {
        this.next = undefined;
        return this.write();
      });
      this.next = next;
      this.writing = next.catch(() => undefined);
    }
    return this.next;
  }

  private async write(): Promise<void> {
    const cells = this.cells;
    const raised = this.raised;
    if (cells.size === 0 && raised.size === 0) return;
    this.cells = new Map();
    this.raised = new Map();
    const counts: HopCounts = { counts: [], latency: [], marks: [...raised.values()] };
    const now = Date.now();
    for (const c of cells.values()) {
      counts.counts.push({ stream: c.stream, windowStart: c.windowStart, hop: c.hop, records: c.records, duplicates: c.duplicates, updatedMs: now });
      for (const [bucket, records] of c.latency) counts.latency.push({ stream: c.stream, windowStart: c.windowStart, hop: c.hop, bucket, records });
    }
    try {
      await this.store.add(counts);
    } catch (error) {
      for (const c of cells.values()) {
        const into = this.cell(c.stream, c.windowStart, c.hop);
        into.records += c.records;
        into.duplicates += c.duplicates;
        for (const [b, n] of c.latency) into.latency.set(b, (into.latency.get(b) ?? 0) + n);
      }
      for (const m of raised.values()) this.raise(m.stream, m.hop, m.origin, m.position, true);
      throw error;
    }
  }

  private cell(stream: string, windowStart: number, hop: string): Cell {
    const key = `${stream}\n${windowStart}\n${hop}`;
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = { stream, windowStart, hop, records: 0, duplicates: 0, latency: new Map() };
      this.cells.set(key, cell);
    }
    return cell;
  }

  private raise(stream: string, hop: string, origin: string, position: number, pending: boolean): void {
    const key = `${stream}\n${hop}\n${origin}`;
    if ((this.marks.get(key) ?? -Infinity) >= position) return;
    this.marks.set(key, position);
    if (pending) this.raised.set(key, { stream, hop, origin, position });
  }
}
