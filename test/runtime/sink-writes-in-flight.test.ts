import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineSink, type KindDefinition } from '../../src/actors/kind.js';
import { observed, run, seqSource, topology, type Observed } from './harness.js';

/** A sink that records how many writes overlap; write number `crashOn` throws. */
function overlapSink(seen: Observed, writesInFlight: number | undefined, peak: { max: number }, crashOn = -1): KindDefinition {
  let open = 0;
  let calls = 0;
  return defineSink({
    name: 'overlap',
    description: 'test sink',
    config: z.strictObject({}),
    create() {
      return {
        writesInFlight,
        async connect() {},
        async write(batch) {
          const call = calls++;
          open += 1;
          peak.max = Math.max(peak.max, open);
          await new Promise((r) => setTimeout(r, 2));
          open -= 1;
          if (call === crashOn) throw new Error(`planned crash on write ${call}`);
          const list = seen.stored.get('out') ?? [];
          for (const r of batch.records) list.push(r.value as string);
          seen.stored.set('out', list);
        },
        async close() {},
      };
    },
  });
}

const all = (n: number): string[] => Array.from({ length: n }, (_, i) => `s${i}`).sort();

describe('sink writes in flight', () => {
  it('gives a sink that asks for two writes in flight a second batch before the first settles, and commits everything', async () => {
    const seen = observed();
    const peak = { max: 0 };
    const t = topology([
      { id: 'src', role: 'source', kind: seqSource(200, 10, 3, seen) },
      { id: 'out', role: 'sink', kind: overlapSink(seen, 2, peak), inputs: ['src'] },
    ]);
    const { deadLettered } = await run(t);
    expect(deadLettered).toEqual([]);
    expect(peak.max).toBe(2);
    expect([...(seen.stored.get('out') ?? [])].sort()).toEqual(all(200));
    expect(seen.committed.get('src')).toBe(200);
  });

  it('writes one batch at a time by default', async () => {
    const seen = observed();
    const peak = { max: 0 };
    const t = topology([
      { id: 'src', role: 'source', kind: seqSource(100, 10, 3, seen) },
      { id: 'out', role: 'sink', kind: overlapSink(seen, undefined, peak), inputs: ['src'] },
    ]);
    await run(t);
    expect(peak.max).toBe(1);
    expect(seen.stored.get('out')).toEqual(Array.from({ length: 100 }, (_, i) => `s${i}`));
  });

  it('redelivers the failed one of two overlapping writes and loses nothing', async () => {
    const seen = observed();
    const peak = { max: 0 };
    const t = topology([
      { id: 'src', role: 'source', kind: seqSource(200, 10, 3, seen) },
      { id: 'out', role: 'sink', kind: overlapSink(seen, 2, peak, 5), inputs: ['src'] },
    ]);
    const { runtime, deadLettered } = await run(t);
    expect(deadLettered).toEqual([]);
    expect(runtime.nodes.get('out')?.metrics.errors).toBe(1);
    expect([...new Set(seen.stored.get('out'))].sort()).toEqual(all(200));
    expect(seen.committed.get('src')).toBe(200);
  });
});
