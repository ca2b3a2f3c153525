import type { Json } from '../streams/record.js';

interface Seen {
  /** Every sequence at or below it is stored. */
  floor: bigint;
  /** Stored sequences above the floor (at most `window`). */
  above: Set<bigint>;
}

/**
 * The batch sequences stored per agent and stream, to answer a retried batch as a duplicate.
 * Senders number batches from 0, so while nothing is missing the floor moves up and nothing is
 * kept above it. Bounded: at most `window` sequences above the contiguous floor per pair (past
 * it, the lowest quarter is forgotten), `maxPairs` pairs (least
 * recently stored forgotten). What it forgets is treated as not stored, so a retry of it is
 * stored again (a duplicate) rather than dropped.
 */
export class SequenceWindow {
  private readonly pairs = new Map<string, Seen>();

  constructor(
    private readonly window: number,
    private readonly maxPairs: number,
  ) {}

  has(pair: string, sequence: bigint): boolean {
    const seen = this.pairs.get(pair);
    return seen !== undefined && (sequence <= seen.floor || seen.above.has(sequence));
  }

  stored(pair: string, sequence: bigint): void {
    let seen = this.pairs.get(pair);
    if (seen === undefined) seen = { floor: -1n, above: new Set() };
    else this.pairs.delete(pair);
    this.pairs.set(pair, seen);
    if (sequence > seen.floor) seen.above.add(sequence);
    while (seen.above.delete(seen.floor + 1n)) seen.floor += 1n;
    if (seen.above.size > this.window) {
      // A gap below (a sender that started above 0, or a batch stored elsewhere) keeps the floor
      // from moving: forget the lowest quarter at once, so trimming is not a sort per batch.
      const keep = this.window - Math.floor(this.window / 4);
      const lowest = [...seen.above].sort((a, b) => (a < b ? -1 : 1)).slice(0, seen.above.size - keep);
      for (const s of lowest) seen.above.delete(s);
    }
    if (this.pairs.size > this.maxPairs) {
      const oldest = this.pairs.keys().next().value;
      if (oldest !== undefined) this.pairs.delete(oldest);
    }
  }

  get size(): number {
    return this.pairs.size;
  }

  /** For the checkpoint: pair -> [floor, ...above], as decimal strings. */
  toJson(): Json {
    const out: Record<string, Json> = {};
    for (const [pair, seen] of this.pairs) out[pair] = [String(seen.floor), ...[...seen.above].map(String)];
    return out;
  }

  static fromJson(value: Json | undefined, window: number, maxPairs: number): SequenceWindow {
    const w = new SequenceWindow(window, maxPairs);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return w;
    for (const [pair, list] of Object.entries(value)) {
      if (!Array.isArray(list) || list.length === 0) continue;
      const [floor, ...above] = list.map((s) => BigInt(String(s)));
      w.pairs.set(pair, { floor: floor ?? -1n, above: new Set(above) });
    }
    return w;
  }
}
