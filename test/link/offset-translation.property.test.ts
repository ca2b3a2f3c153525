/**
 * The checkpoint translation (src/link/offset-translation.ts) against a brute-force answer, over
 * destination partitions with holes (compaction, transaction markers), records of other writers
 * (no source offset), source offsets with gaps, and reads that return any number of records.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { destinationOffsetFor, type DestinationEntry } from '../../src/link/offset-translation.js';

interface Partition {
  low: number;
  high: number;
  entries: DestinationEntry[];
}

/** A destination partition: offsets rising with holes, source offsets rising with gaps on the link's records. */
const partitionArb: fc.Arbitrary<Partition> = fc
  .record({
    low: fc.nat({ max: 50 }),
    steps: fc.array(fc.record({ hole: fc.nat({ max: 3 }), sourceGap: fc.nat({ max: 4 }), other: fc.boolean() }), { maxLength: 120 }),
    tail: fc.nat({ max: 3 }),
  })
  .map(({ low, steps, tail }) => {
    const entries: DestinationEntry[] = [];
    let offset = low;
    let source = 0;
    for (const s of steps) {
      offset += s.hole;
      if (s.other) entries.push({ offset, sourceOffset: undefined });
      else {
        source += s.sourceGap;
        entries.push({ offset, sourceOffset: source });
        source += 1;
      }
      offset += 1;
    }
    return { low, high: offset + tail, entries };
  });

describe('translating a source group offset into a destination offset', () => {
  it('is the offset after the last mirrored record from before the committed offset, however offsets and reads are spread; none for a partition without source offsets', async () => {
    await fc.assert(
      fc.asyncProperty(partitionArb, fc.nat({ max: 400 }), fc.integer({ min: 1, max: 7 }), async (p, committed, window) => {
        let reads = 0;
        const read = async (from: number): Promise<DestinationEntry[]> => {
          reads++;
          return p.entries.filter((e) => e.offset >= from).slice(0, window);
        };
        const got = await destinationOffsetFor(committed, p.low, p.high, read);

        if (p.high > p.low && p.entries.every((e) => e.sourceOffset === undefined)) {
          // Nothing to go by: no answer rather than a guess.
          expect(got).toBeUndefined();
          return;
        }
        const before = p.entries.filter((e) => e.sourceOffset !== undefined && e.sourceOffset < committed);
        const last = before[before.length - 1];
        expect(got).toBe(last === undefined ? p.low : last.offset + 1);
        // What a consumer reads from there: exactly the link's records from the committed offset on.
        const fromThere = p.entries.filter((e) => e.offset >= (got as number) && e.sourceOffset !== undefined).map((e) => e.sourceOffset);
        const wanted = p.entries.filter((e) => e.sourceOffset !== undefined && e.sourceOffset >= committed).map((e) => e.sourceOffset);
        expect(fromThere).toEqual(wanted);
        // A binary search: reads grow with log2 of the partition, not its length (other writers' runs aside).
        if (p.entries.every((e) => e.sourceOffset !== undefined)) expect(reads).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(p.high - p.low + 2)) + 2);
      }),
      { numRuns: 500 },
    );
  });
});
