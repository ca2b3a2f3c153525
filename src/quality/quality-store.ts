import type { SqlParam } from '../db/database.js';
import { openRegistrySql, type RegistryLocation, type RegistrySql } from '../db/registry-sql.js';
import { createQualityTables, upsert } from './quality-tables.js';
import { joinQuality, type HopCount, type LatencyCount, type QualityRow, type QualityState } from './quality-rows.js';
import { windowOf } from './window.js';

/** Counts one hop made since its last write: per stream, window and hop, and the positions counted up to. */
export interface HopCounts {
  counts: HopCount[];
  latency: LatencyCount[];
  /** Source stream (a Kafka partition) -> the highest position counted, per stream and hop. */
  marks: { stream: string; hop: string; origin: string; position: number }[];
}

/** A stored quality row, with whether its loss was alerted. */
export interface StoredQualityRow extends QualityRow {
  alerted: boolean;
}

interface Row {
  stream: string;
  window_start: number | string;
  sink: string;
  received: number | string;
  delivered: number | string;
  duplicated: number | string;
  lost: number | string;
  extra: number | string;
  p50_ms: number | string | null;
  p99_ms: number | string | null;
  state: string;
  alerted: number | string;
}

const nullable = (v: number | string | null): number | null => (v === null ? null : Number(v));

function fromRow(r: Row): StoredQualityRow {
  return {
    stream: r.stream,
    windowStart: Number(r.window_start),
    sink: r.sink,
    received: Number(r.received),
    delivered: Number(r.delivered),
    duplicated: Number(r.duplicated),
    lost: Number(r.lost),
    extra: Number(r.extra),
    p50Ms: nullable(r.p50_ms),
    p99Ms: nullable(r.p99_ms),
    state: r.state as QualityState,
    alerted: Number(r.alerted) === 1,
  };
}

const QUALITY_COLUMNS = ['stream', 'window_start', 'sink', 'received', 'delivered', 'duplicated', 'lost', 'extra', 'p50_ms', 'p99_ms', 'state', 'alerted', 'updated_ms'];

/** The quality tables of a registry database (see quality-tables.ts): hops write counts, the dispatcher joins them. */
export class QualityStore {
  private constructor(private readonly sql: RegistrySql) {}

  static async open(location: RegistryLocation, timeoutMs = 5000): Promise<QualityStore> {
    const sql = await openRegistrySql(location, timeoutMs);
    try {
      await createQualityTables(sql);
    } catch (error) {
      await sql.close();
      throw error;
    }
    return new QualityStore(sql);
  }

  /** Adds a hop's counts and raises its marks, in one transaction. */
  add(counts: HopCounts): Promise<void> {
    return this.sql.transaction(async (tx) => {
      await upsert(tx, 'quality_counts', ['stream', 'window_start', 'hop', 'records', 'duplicates', 'updated_ms'], ['stream', 'window_start', 'hop'], { records: 'add', duplicates: 'add', updated_ms: 'max' }, counts.counts.map((c) => [c.stream, c.windowStart, c.hop, c.records, c.duplicates, c.updatedMs]));
      await upsert(tx, 'quality_latency', ['stream', 'window_start', 'hop', 'bucket', 'records'], ['stream', 'window_start', 'hop', 'bucket'], { records: 'add' }, counts.latency.map((l) => [l.stream, l.windowStart, l.hop, l.bucket, l.records]));
      await upsert(tx, 'quality_marks', ['stream', 'hop', 'origin', 'position'], ['stream', 'hop', 'origin'], { position: 'max' }, counts.marks.map((m) => [m.stream, m.hop, m.origin, m.position]));
    });
  }

  /** The positions hop `hop` of `stream` has counted up to, by source stream. */
  async marks(stream: string, hop: string): Promise<Map<string, number>> {
    const rows = await this.sql.all<{ origin: string; position: number | string }>('SELECT origin, position FROM quality_marks WHERE stream = ? AND hop = ?', [stream, hop]);
    return new Map(rows.map((r) => [r.origin, Number(r.position)]));
  }

  /**
   * Joins the counts of the windows from `now - lookbackMs` on into quality rows and stores them.
   * Returns the rows that turned `lost` and were not alerted before (now marked alerted).
   */
  async refresh(sinksOf: ReadonlyMap<string, readonly string[]>, now: number, graceMs: number, lookbackMs: number): Promise<QualityRow[]> {
    const since = windowOf(now - lookbackMs);
    const counts = (await this.sql.all<Record<keyof HopCount, number | string>>('SELECT stream, window_start AS windowStart, hop, records, duplicates, updated_ms AS updatedMs FROM quality_counts WHERE window_start >= ?', [since])).map(
      (c): HopCount => ({ stream: String(c.stream), windowStart: Number(c.windowStart), hop: String(c.hop), records: Number(c.records), duplicates: Number(c.duplicates), updatedMs: Number(c.updatedMs) }),
    );
    const latency = (await this.sql.all<Record<keyof LatencyCount, number | string>>('SELECT stream, window_start AS windowStart, hop, bucket, records FROM quality_latency WHERE window_start >= ?', [since])).map(
      (l): LatencyCount => ({ stream: String(l.stream), windowStart: Number(l.windowStart), hop: String(l.hop), bucket: Number(l.bucket), records: Number(l.records) }),
    );
    const rows = joinQuality(counts, latency, sinksOf, now, graceMs);
    return this.sql.transaction(async (tx) => {
      const alerted = new Set((await tx.all<{ stream: string; window_start: number | string; sink: string }>('SELECT stream, window_start, sink FROM quality WHERE window_start >= ? AND alerted = 1', [since])).map((r) => `${r.stream}\n${Number(r.window_start)}\n${r.sink}`));
      const fresh = rows.filter((r) => r.state === 'lost' && !alerted.has(`${r.stream}\n${r.windowStart}\n${r.sink}`));
      const values = rows.map((r): SqlParam[] => [r.stream, r.windowStart, r.sink, r.received, r.delivered, r.duplicated, r.lost, r.extra, r.p50Ms, r.p99Ms, r.state, r.state === 'lost' ? 1 : 0, now]);
      const replaced = Object.fromEntries(QUALITY_COLUMNS.slice(3).map((c) => [c, c === 'alerted' ? ('max' as const) : ('replace' as const)]));
      await upsert(tx, 'quality', QUALITY_COLUMNS, ['stream', 'window_start', 'sink'], replaced, values);
      return fresh;
    });
  }

  /** The stored quality rows (of one stream, of the windows from `since` on), oldest window first. */
  async rows(stream?: string, since = 0): Promise<StoredQualityRow[]> {
    const where = stream === undefined ? '' : ' AND stream = ?';
    return (await this.sql.all<Row>(`SELECT * FROM quality WHERE window_start >= ?${where} ORDER BY stream, window_start, sink`, stream === undefined ? [since] : [since, stream])).map(fromRow);
  }

  close(): Promise<void> {
    return this.sql.close();
  }
}
