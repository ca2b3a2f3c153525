import { describe, expect, it } from 'vitest';
import { observed, passStage, run, seqSource, storeSink, topology } from './harness.js';

describe('stage sets', () => {
  it('redelivers the batch in flight on a crashed replica to a replica that finishes it', async () => {
    const seen = observed();
    const t = topology([
      { id: 'src', role: 'source', kind: seqSource(100, 10, 3, seen) },
      { id: 'work', role: 'stage', kind: passStage(new Set([0, 3, 4])), inputs: ['src'], replicas: 3, maxAttempts: 5 },
      { id: 'out', role: 'sink', kind: storeSink(seen), inputs: ['work'] },
    ]);
    const { runtime, deadLettered } = await run(t);
    expect(deadLettered).toEqual([]);
    expect([...new Set(seen.stored.get('out'))].sort()).toEqual(Array.from({ length: 100 }, (_, i) => `s${i}`).sort());
    expect(runtime.nodes.get('work')?.input?.stats.redelivered).toBe(3);
    expect(runtime.nodes.get('work')?.metrics.errors).toBe(3);
  });

  it('counts the records of a redelivered batch in once', async () => {
    const seen = observed();
    const t = topology([
      { id: 'src', role: 'source', kind: seqSource(100, 10, 3, seen) },
      { id: 'work', role: 'stage', kind: passStage(new Set([0, 3, 4])), inputs: ['src'], replicas: 2, maxAttempts: 5 },
      { id: 'out', role: 'sink', kind: storeSink(seen), inputs: ['work'] },
    ]);
    const { runtime } = await run(t);
    expect(runtime.nodes.get('work')?.input?.stats.redelivered).toBe(3);
    expect(runtime.nodes.get('work')?.metrics.recordsIn).toBe(100);
    expect(runtime.nodes.get('work')?.metrics.recordsOut).toBe(100);
  });

  it('dead-letters a batch that keeps failing instead of retrying it forever, and goes on with the rest', async () => {
    const seen = observed();
    const t = topology([
      { id: 'src', role: 'source', kind: seqSource(30, 10, 3, seen) },
      { id: 'work', role: 'stage', kind: passStage(new Set([1, 2, 3])), inputs: ['src'], maxAttempts: 3 },
      { id: 'out', role: 'sink', kind: storeSink(seen), inputs: ['work'] },
    ]);
    const { deadLettered } = await run(t);
    expect(deadLettered.map((d) => d.value)).toEqual(Array.from({ length: 10 }, (_, i) => `s${10 + i}`));
    expect(deadLettered[0]?.reason).toBe('gave up after 3 attempts: planned crash on call 3');
    expect(deadLettered[0]?.actor).toBe('work');
    expect(seen.stored.get('out')).toEqual([...Array.from({ length: 10 }, (_, i) => `s${i}`), ...Array.from({ length: 10 }, (_, i) => `s${20 + i}`)]);
    expect(seen.committed.get('src')).toBe(30);
  });
});
