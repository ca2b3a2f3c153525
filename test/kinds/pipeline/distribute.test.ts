import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  distributeConfig,
  distributeKind,
  fnv1a,
} from '../../../src/kinds/distribute.js';
import type { LogRecord } from '../../../src/streams/record.js';
import { observed, run, seqSource, storeSink, topology } from '../../runtime/harness.js';
import { actorContext } from '../../kit/actor-context.js';
import { configure, runStage } from './helpers.js';

describe('distribute in a running topology', () => {
  it('sends every record to exactly one consumer and keeps each key in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          count: fc.integer({ min: 1, max: 400 }),
          batch: fc.integer({ min: 1, max: 50 }),
          keys: fc.integer({ min: 1, max: 40 }),
          consumers: fc.integer({ min: 1, max: 4 }),
        }),
        async ({ count, batch, keys, consumers }) => {
          const seen = observed();
          const sinks = Array.from({ length: consumers }, (_, i) => `out${i}`);
          const t = configure(
            topology([
              { id: 'src', role: 'source', kind: seqSource(count, batch, keys, seen) },
              { id: 'spread', role: 'stage', kind: distributeKind, inputs: ['src'] },
              ...sinks.map((id) => ({
                id,
                role: 'sink' as const,
                kind: storeSink(seen),
                inputs: ['spread'],
                maxRecords: 8,
              })),
            ]),
            { spread: { by: 'key' } },
          );
          await run(t);
          const owner = new Map<string, string>();
          let total = 0;
          for (const id of sinks) {
            const values = seen.stored.get(id) ?? [];
            total += values.length;
            const last = new Map<string, number>();
            for (const v of values) {
              const seq = Number(v.slice(1));
              const key = `k${seq % keys}`;
              expect(owner.get(key) ?? id).toBe(id);
              owner.set(key, id);
              expect(seq).toBeGreaterThan(last.get(key) ?? -1);
              last.set(key, seq);
            }
          }
          expect(total).toBe(count);
          expect(seen.committed.get('src')).toBe(count);
        },
      ),
      { numRuns: 15 },
    );
  });
});

function rec(value: LogRecord['value'], key?: string, headers?: Record<string, string>): LogRecord {
  const r: LogRecord = { value, ts: 0 };
  if (key !== undefined) r.key = key;
  if (headers !== undefined) r.headers = headers;
  return r;
}

describe('distribute', () => {
  it('routes by key hash with a stable FNV-1a', async () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    const ctx = actorContext({ consumers: ['a', 'b', 'c'] });
    const records = ['x', 'y', 'z', 'x'].map((k) => rec(k, k));
    const out = await runStage(distributeKind, {}, records, ctx);
    const expected: string[][] = [[], [], []];
    for (const k of ['x', 'y', 'z', 'x']) expected[fnv1a(k) % 3]?.push(k);
    expect(out.partitions?.map((p) => p.map((r) => r.value))).toEqual(expected);
  });

  it('routes by a header or a top-level field of an object value, and dead-letters records without it', async () => {
    const ctx = actorContext({ consumers: ['a', 'b'] });
    const [obj, header, num, ...missing] = [
      rec({ app: 'shop' }),
      rec('text', undefined, { app: 'shop' }),
      rec({ app: 7 }),
      rec({ other: 1 }),
      rec('no field'),
    ];
    const out = await runStage(
      distributeKind,
      { by: 'field', field: 'app' },
      [obj, header, num, ...missing] as LogRecord[],
      ctx,
    );
    const where = (r: LogRecord | undefined): number =>
      (out.partitions ?? []).findIndex((p) => p.includes(r as LogRecord));
    expect(out.partitions?.flat()).toHaveLength(3);
    expect(where(obj)).toBe(fnv1a('shop') % 2);
    expect(where(header)).toBe(fnv1a('shop') % 2);
    expect(where(num)).toBe(fnv1a('7') % 2);
    expect(out.dead.map((d) => d.reason)).toEqual([
      'distribute by field: no header or field "app"',
      'distribute by field: no header or field "app"',
    ]);
  });

  it('spreads round robin evenly, starting at the replica index', async () => {
    const out = await runStage(
      distributeKind,
      { by: 'roundRobin' },
      Array.from({ length: 7 }, (_, i) => rec(`r${i}`)),
      actorContext({ consumers: ['a', 'b', 'c'], replica: 1 }),
    );
    expect(out.partitions?.map((p) => p.map((r) => r.value))).toEqual([
      ['r2', 'r5'],
      ['r0', 'r3', 'r6'],
      ['r1', 'r4'],
    ]);
    expect(out.status).toEqual({ sent: { a: 2, b: 3, c: 2 } });
  });

  it('dead-letters keyless records when routing by key', async () => {
    const out = await runStage(distributeKind, {}, [rec('v')], actorContext({ consumers: ['a'] }));
    expect(out.dead.map((d) => d.reason)).toEqual(['distribute by key: the record has no key']);
  });

  it('refuses to start without consumers and a field route without a field', async () => {
    await expect(runStage(distributeKind, {}, [], actorContext({ consumers: [] }))).rejects.toThrow(
      /has no consumers/,
    );
    expect(distributeConfig.safeParse({ by: 'field' }).success).toBe(false);
  });
});
