import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { observed, passStage, run, seqSource, storeSink, topology, type NodeDraft } from './harness.js';

interface Plan {
  count: number;
  batch: number;
  stages: { inputs: number[]; replicas: number; crashOn: number[]; capacity: number }[];
  sinks: { inputs: number[]; crashOn: number[]; capacity: number }[];
  poisonEvery: number;
}

/** Random DAGs: one source, stages that each read from any earlier node, sinks that read from any node. */
const plan: fc.Arbitrary<Plan> = fc.integer({ min: 0, max: 3 }).chain((nStages) =>
  fc.record({
    count: fc.integer({ min: 0, max: 300 }),
    batch: fc.integer({ min: 1, max: 40 }),
    stages: fc.tuple(
      ...Array.from({ length: nStages }, (_, i) =>
        fc.record({
          inputs: fc.uniqueArray(fc.integer({ min: 0, max: i }), { minLength: 1, maxLength: i + 1 }),
          replicas: fc.integer({ min: 1, max: 3 }),
          crashOn: fc.uniqueArray(fc.integer({ min: 0, max: 12 }), { maxLength: 3 }),
          capacity: fc.integer({ min: 1, max: 50 }),
        }),
      ),
    ),
    sinks: fc.array(
      fc.record({
        inputs: fc.uniqueArray(fc.integer({ min: 0, max: nStages }), { minLength: 1, maxLength: nStages + 1 }),
        crashOn: fc.uniqueArray(fc.integer({ min: 0, max: 12 }), { maxLength: 3 }),
        capacity: fc.integer({ min: 1, max: 50 }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
    poisonEvery: fc.constantFrom(0, 7, 50),
  }),
);

/** Node 0 is the source, nodes 1..n the stages. */
const nodeId = (i: number): string => (i === 0 ? 'src' : `st${i - 1}`);

describe('runtime delivery', () => {
  it('delivers every emitted record to every sink downstream of it, or dead-letters it, across random topologies and crash schedules', async () => {
    await fc.assert(
      fc.asyncProperty(plan, async (p) => {
        const seen = observed();
        const poison = (v: string): boolean => p.poisonEvery > 0 && Number(v.slice(1)) % p.poisonEvery === 0;
        const drafts: NodeDraft[] = [{ id: 'src', role: 'source', kind: seqSource(p.count, p.batch, 5, seen) }];
        p.stages.forEach((s, i) =>
          drafts.push({ id: `st${i}`, role: 'stage', kind: passStage(new Set(s.crashOn), poison), inputs: s.inputs.map(nodeId), replicas: s.replicas, maxRecords: s.capacity, maxAttempts: 3 }),
        );
        p.sinks.forEach((s, i) =>
          drafts.push({ id: `sink${i}`, role: 'sink', kind: storeSink(seen, new Set(s.crashOn)), inputs: s.inputs.map(nodeId), maxRecords: s.capacity, maxAttempts: 3 }),
        );
        const t = topology(drafts);
        const { runtime, deadLettered } = await run(t);

        const dead = new Set(deadLettered.map((d) => d.value));
        for (const d of deadLettered) expect(d.reason === 'poison' || d.reason.startsWith('gave up after 3 attempts')).toBe(true);
        for (let i = 0; i < p.sinks.length; i++) {
          const got = new Set(seen.stored.get(`sink${i}`) ?? []);
          for (let v = 0; v < p.count; v++) {
            const value = `s${v}`;
            if (!got.has(value) && !dead.has(value)) throw new Error(`${value} neither reached sink${i} nor was dead-lettered`);
          }
        }
        expect(seen.committed.get('src') ?? 0).toBe(p.count);
        for (const node of runtime.nodes.values()) {
          if (node.input) expect(node.input.stats.maxDepthRecords).toBeLessThanOrEqual(node.spec.channel.maxRecords);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('keeps per-key order through a chain of single replicas, crashes included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 30 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 10 }), { maxLength: 3 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 10 }), { maxLength: 3 }),
        async (count, batch, stageCrashes, sinkCrashes) => {
          const seen = observed();
          const t = topology([
            { id: 'src', role: 'source', kind: seqSource(count, batch, 4, seen) },
            { id: 'a', role: 'stage', kind: passStage(new Set(stageCrashes)), inputs: ['src'], maxRecords: 20, maxAttempts: 10 },
            { id: 'b', role: 'stage', kind: passStage(new Set()), inputs: ['a'], maxRecords: 7, maxAttempts: 10 },
            { id: 'out', role: 'sink', kind: storeSink(seen, new Set(sinkCrashes)), inputs: ['b'], maxRecords: 13, maxAttempts: 10 },
          ]);
          await run(t);
          const got = seen.stored.get('out') ?? [];
          const lastByKey = new Map<number, number>();
          for (const v of got) {
            const n = Number(v.slice(1));
            const key = n % 4;
            expect(n).toBeGreaterThan(lastByKey.get(key) ?? -1);
            lastByKey.set(key, n);
          }
          expect(got.length).toBe(count);
        },
      ),
      { numRuns: 30 },
    );
  });
});
