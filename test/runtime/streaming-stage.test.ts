import { describe, expect, it } from 'vitest';
import { observed, run, seqSource, storeSink, streamingStage, topology } from './harness.js';

describe('streaming stages', () => {
  it('sends pieces downstream under backpressure and acks the input once every piece is stored', async () => {
    const seen = observed();
    const t = topology([
      { id: 'src', role: 'source', kind: seqSource(200, 50, 3, seen) },
      { id: 'explode', role: 'stage', kind: streamingStage(new Set()), inputs: ['src'] },
      { id: 'out', role: 'sink', kind: storeSink(seen, new Set(), 1), inputs: ['explode'], maxRecords: 3 },
    ]);
    const { runtime } = await run(t);
    expect(seen.stored.get('out')).toEqual(Array.from({ length: 200 }, (_, i) => `s${i}`));
    expect(seen.committed.get('src')).toBe(200);
    expect(runtime.nodes.get('out')?.input?.stats.maxDepthRecords).toBeLessThanOrEqual(3);
  });

  it('redelivers a batch whose stream fails midway: nothing lost, the sent half comes again', async () => {
    const seen = observed();
    const t = topology([
      { id: 'src', role: 'source', kind: seqSource(40, 10, 3, seen) },
      { id: 'explode', role: 'stage', kind: streamingStage(new Set([1])), inputs: ['src'] },
      { id: 'out', role: 'sink', kind: storeSink(seen), inputs: ['explode'] },
    ]);
    await run(t);
    const got = seen.stored.get('out') ?? [];
    expect(new Set(got)).toEqual(new Set(Array.from({ length: 40 }, (_, i) => `s${i}`)));
    expect(got.length).toBe(45); // s10..s14 were sent before the crash and again after it
    expect(seen.committed.get('src')).toBe(40);
  });
});
