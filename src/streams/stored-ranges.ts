import type { Batch } from './batch.js';
import type { Origin } from './origin.js';
import type { LogRecord } from './record.js';

/** Ranges `(start, end]` of one stream, sorted, disjoint and not touching. */
type Ranges = [number, number][];

/** How much a sink remembers; past it, the oldest (surely committed at their source) goes. */
export interface StoredLimits {
  /** Streams remembered, the least recently written forgotten first (a finished file's, say). */
  streams: number;
  /**
   * Ranges per stream (gaps come from batches that never reached this sink: filtered out,
   * dead-lettered, in flight on another replica); past it, the lowest gap is closed.
   */
  ranges: number;
}

const DEFAULT_LIMITS: StoredLimits = { streams: 10_000, ranges: 64 };

/** The saved form: stream → its ranges. */
export type StoredRangesJson = { [stream: string]: [number, number][] };

/**
 * What an exactly-once sink has stored, by {@link Origin}: per stream, the ranges of source
 * positions whose records it holds. After a crash, the source re-reads from its committed point
 * and the sink keeps only the records it does not hold yet. Batches may come in any order
 * (replicas, partitions, fan-in interleave): ranges, not a high-water mark.
 */
export class StoredRanges {
  private readonly streams = new Map<string, Ranges>();

  constructor(private readonly limits: StoredLimits = DEFAULT_LIMITS) {}

  static fromJson(json: StoredRangesJson, limits?: StoredLimits): StoredRanges {
    const stored = new StoredRanges(limits);
    for (const [stream, ranges] of Object.entries(json)) for (const [start, end] of ranges) stored.add({ stream, start, end });
    return stored;
  }

  /**
   * The records of `batch` not stored yet. Without an origin: all. With per-record positions:
   * those outside the stored ranges. Otherwise none if its whole range is stored, else all
   * (a partly stored batch of a stage's output is stored again: at-least-once there).
   */
  unstored(batch: Batch): LogRecord[] {
    const o = batch.origin;
    const ranges = o === undefined ? undefined : this.streams.get(o.stream);
    if (o === undefined || ranges === undefined) return batch.records;
    if (covers(ranges, o.start, o.end)) return [];
    const positions = o.positions;
    if (positions === undefined) return batch.records;
    return batch.records.filter((_, i) => !covers(ranges, (positions[i] as number) - 1, positions[i] as number));
  }

  /** Notes that everything of `origin`'s range is stored. */
  add(origin: Origin): void {
    if (origin.end <= origin.start) return;
    const ranges = this.streams.get(origin.stream) ?? [];
    let start = origin.start;
    let end = origin.end;
    const kept: Ranges = [];
    for (const r of ranges) {
      if (r[1] < start || r[0] > end) kept.push(r);
      else {
        start = Math.min(start, r[0]);
        end = Math.max(end, r[1]);
      }
    }
    kept.push([start, end]);
    kept.sort((a, b) => a[0] - b[0]);
    while (kept.length > this.limits.ranges) {
      const [low, next] = kept.splice(0, 2) as [[number, number], [number, number]];
      kept.unshift([low[0], next[1]]);
    }
    // Re-inserted: the map's order is that of the last write, oldest first.
    this.streams.delete(origin.stream);
    this.streams.set(origin.stream, kept);
    if (this.streams.size > this.limits.streams) this.streams.delete(this.streams.keys().next().value as string);
  }

  toJson(): StoredRangesJson {
    const out: StoredRangesJson = {};
    for (const [stream, ranges] of this.streams) out[stream] = ranges.map(([s, e]) => [s, e]);
    return out;
  }
}

/** Whether `(start, end]` lies in one of `ranges`. */
function covers(ranges: Ranges, start: number, end: number): boolean {
  for (const [s, e] of ranges) if (s <= start && end <= e) return true;
  return false;
}
