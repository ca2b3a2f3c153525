import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../src/topology/load.js';
import { testRegistry } from './registry.js';

/** `n` generators and one sink reading them all: about 4n values, no aliases. */
function wide(n: number): string {
  const lines = ['sources:'];
  for (let i = 0; i < n; i++) lines.push(`  g${i}: { kind: generator, count: ${i} }`);
  lines.push('sinks:', `  out: { kind: file, path: out.jsonl, inputs: [${Array.from({ length: n }, (_, i) => `g${i}`).join(', ')}] }`);
  return `${lines.join('\n')}\n`;
}

function timed(n: number): { ms: number; ok: boolean; errors: string[] } {
  const text = wide(n);
  const start = performance.now();
  const result = parseTopology(text, 'topology.yaml', {}, testRegistry);
  return { ms: performance.now() - start, ok: result.ok, errors: result.ok ? [] : result.errors.slice(0, 3).map((e) => e.message) };
}

describe('validating a large topology', () => {
  it('takes time linear in the actors: 10x the actors, well under 30x the time (quadratic was 100x)', () => {
    timed(1000); // warm-up: module and JIT
    const small = Math.min(...[0, 1, 2].map(() => timed(2000).ms));
    const large = timed(20_000); // under 100000 values: no alias limit before the fix either
    expect(large.ok, large.errors.join('; ')).toBe(true);
    // Linear: ~10x. The bound is loose for a loaded machine and still fails on quadratic growth.
    expect(large.ms / small, `2000 actors: ${small.toFixed(0)} ms, 20000: ${large.ms.toFixed(0)} ms`).toBeLessThan(30);
  }, 120_000);

  it('places an error in a large file at its line and column (positions are found only when an error asks)', () => {
    const text = wide(20_000).replace('  g19999: { kind: generator', '  g19999: { kind: generatr');
    const result = parseTopology(text, 'topology.yaml', {}, testRegistry);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.map((e) => [e.line, e.column, e.message])).toEqual([
      [20_001, 19, expect.stringContaining('unknown source kind "generatr"')],
    ]);
  });

  it('reports no alias problem in a document with more than 100000 values and no aliases', () => {
    expect(timed(30_000).errors).toEqual([]);
  }, 60_000);
});
