import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ColumnBuilder } from '../../../src/kinds/hive/column-builder.js';
import type { ColumnConfig } from '../../../src/kinds/hive/config.js';
import { encodeParquet } from '../../../src/kinds/hive/parquet-file.js';
import type { Cell } from '../../../src/kinds/hive/rows.js';
import { readParquetRows } from './helpers.js';

const columns: ColumnConfig[] = [
  { name: 's', type: 'string', required: false },
  { name: 'i', type: 'int64', required: false },
  { name: 'd', type: 'double', required: false },
  { name: 'b', type: 'boolean', required: false },
  { name: 't', type: 'timestamp', required: false },
];

const row = fc.tuple(
  fc.option(fc.string({ unit: 'grapheme', maxLength: 40 }), { nil: null }),
  fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { nil: null }),
  fc.option(fc.double({ noNaN: true }), { nil: null }),
  fc.option(fc.boolean(), { nil: null }),
  fc.option(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), { nil: null }),
);

/** -0 as 0: a reader may give either. */
const zeroed = (v: unknown): unknown => (v === 0 ? 0 : v);

function encode(rows: readonly Cell[][]): Uint8Array {
  const builders = columns.map((c) => new ColumnBuilder(c.type));
  for (const r of rows) r.forEach((cell, i) => builders[i]!.push(cell));
  return encodeParquet(columns, builders.map((b) => b.finish()), 'snappy');
}

describe('hive column builder', () => {
  it('any rows, nulls anywhere, read back by an independent Parquet reader exactly as written', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 300 }), async (rows) => {
        const back = await readParquetRows(encode(rows));
        expect(back).toHaveLength(rows.length);
        back.forEach((got, k) => {
          const [s, i, d, b, t] = rows[k]!;
          expect(got['s'] ?? null).toBe(s);
          expect(got['i'] ?? null).toBe(i);
          expect(zeroed(got['d'] ?? null)).toBe(zeroed(d));
          expect(got['b'] ?? null).toBe(b);
          const time = got['t'] ?? null;
          expect(time === null ? null : time instanceof Date ? time.getTime() : Number(time)).toBe(t);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('writes a lone surrogate as U+FFFD, as TextEncoder does, and grows past its first buffers', async () => {
    const long = 'ü'.repeat(5000);
    const back = await readParquetRows(encode([['a\uD800b', null, null, null, null], [long, 1n, 1.5, true, 0]]));
    expect(back.map((r) => r['s'])).toEqual(['a\uFFFDb', long]);
  });
});
