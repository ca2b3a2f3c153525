import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ack } from '../../src/streams/ack.js';
import { makeBatch, splitBatch } from '../../src/streams/batch.js';
import type { Origin } from '../../src/streams/origin.js';
import { StoredRanges } from '../../src/streams/stored-ranges.js';

/** A batch of one record per position in `(start, end]` of `stream` (value: the position). */
function batchOf(stream: string, start: number, end: number): ReturnType<typeof makeBatch> {
  const positions = Array.from({ length: end - start }, (_, i) => start + i + 1);
  const origin: Origin = { stream, start, end, positions };
  return makeBatch(positions.map((p) => ({ value: String(p), ts: 0 })), Ack.none(), 'test', origin);
}

describe('stored ranges', () => {
  it('keeps exactly the records not stored yet, whatever order and cut replayed batches come in', () => {
    const write = fc.record({ stream: fc.constantFrom('s/a', 's/b'), start: fc.nat(60), length: fc.integer({ min: 1, max: 20 }) });
    fc.assert(
      fc.property(fc.array(write, { maxLength: 40 }), fc.boolean(), (writes, viaJson) => {
        let stored = new StoredRanges();
        const model = new Set<string>();
        for (const w of writes) {
          const batch = batchOf(w.stream, w.start, w.start + w.length);
          const kept = stored.unstored(batch).map((r) => `${w.stream}:${String(r.value)}`);
          expect(kept).toEqual(batch.records.map((r) => `${w.stream}:${String(r.value)}`).filter((k) => !model.has(k)));
          for (const k of kept) model.add(k);
          stored.add(batch.origin as Origin);
          if (viaJson) stored = StoredRanges.fromJson(JSON.parse(JSON.stringify(stored.toJson())) as ReturnType<StoredRanges['toJson']>);
        }
      }),
    );
  });

  it('past its range limit closes the lowest gap, and past its stream limit forgets the least recently written stream', () => {
    const stored = new StoredRanges({ streams: 2, ranges: 2 });
    for (const start of [0, 10, 20]) stored.add({ stream: 'a', start, end: start + 5 });
    stored.add({ stream: 'b', start: 0, end: 5 });
    stored.add({ stream: 'a', start: 30, end: 31 });
    stored.add({ stream: 'c', start: 0, end: 5 });
    expect(stored.toJson()).toEqual({ a: [[0, 25], [30, 31]], c: [[0, 5]] });
  });

  it('a batch split in pieces gives each piece the exact range of its records', () => {
    const pieces = splitBatch(batchOf('s', 100, 105), 2);
    expect(pieces.map((p) => [p.origin?.start, p.origin?.end, p.origin?.positions])).toEqual([
      [100, 102, [101, 102]],
      [102, 104, [103, 104]],
      [104, 105, [105]],
    ]);
    // Without per-record positions no piece can claim the batch's range.
    const derived = makeBatch(batchOf('s', 0, 4).records, Ack.none(), 'test', { stream: 's>map', start: 0, end: 4 });
    expect(splitBatch(derived, 2).map((p) => p.origin)).toEqual([undefined, undefined]);
  });
});
