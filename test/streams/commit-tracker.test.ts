import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommitTracker } from '../../src/streams/commit-tracker.js';

describe('CommitTracker', () => {
  it('commits the highest contiguous acknowledged position whatever order acks arrive in', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }))), ([n, order]) => {
        const commits: number[] = [];
        const t = new CommitTracker<number>((p) => commits.push(p));
        const acks = Array.from({ length: n }, (_, i) => t.begin(i));
        const acked = new Set<number>();
        for (const i of order) {
          acks[i]!.done();
          acked.add(i);
          let contiguous = -1;
          while (acked.has(contiguous + 1)) contiguous += 1;
          expect(t.committed ?? -1).toBe(contiguous);
        }
        expect(commits).toEqual([...commits].sort((a, b) => a - b));
        expect(t.committed).toBe(n - 1);
        expect(t.pending).toBe(0);
      }),
    );
  });

  it('never commits past a failed batch and reports the failure', () => {
    const failures: string[] = [];
    const t = new CommitTracker<number>(() => undefined, (_p, reason) => failures.push(reason));
    const [a, b, c] = [t.begin(1), t.begin(2), t.begin(3)];
    a.done();
    b.fail('sink down');
    c.done();
    expect(t.committed).toBe(1);
    expect(t.failed).toBe(true);
    expect(failures).toEqual(['sink down']);
  });
});
