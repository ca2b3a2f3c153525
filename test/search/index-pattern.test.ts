import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openSearchSinkKind } from '../../src/kinds/opensearch/sink.js';
import { IndexPattern, indexPatternProblem } from '../../src/search/index-pattern.js';

describe('opensearch index pattern', () => {
  it("names the index from the record's event time in UTC", () => {
    const p = new IndexPattern('logs-{yyyy.MM.dd}');
    expect(p.indexFor(Date.UTC(2026, 11, 6, 23, 59, 59))).toBe('logs-2026.12.06');
    expect(p.indexFor(Date.UTC(2026, 11, 7, 0, 0, 0))).toBe('logs-2026.12.07');
    expect(new IndexPattern('app-{yy}-{MM}-{ddHH}').indexFor(Date.UTC(2001, 0, 2, 3))).toBe('app-01-01-0203');
    expect(new IndexPattern('plain').indexFor(Number.NaN)).toBe('plain');
    expect(p.indexFor(Number.NaN)).toBeUndefined();
    expect(p.indexFor(8.64e15 + 3_600_000)).toBeUndefined();
  });

  it('gives the same name as formatting each time afresh, whatever the order of event times (the per-hour cache)', () => {
    const p = new IndexPattern('x-{yyyy.MM.dd.HH}');
    const fresh = (ts: number): string => {
      const d = new Date(ts);
      const two = (v: number): string => String(v).padStart(2, '0');
      return `x-${String(d.getUTCFullYear()).padStart(4, '0')}.${two(d.getUTCMonth() + 1)}.${two(d.getUTCDate())}.${two(d.getUTCHours())}`;
    };
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4_102_444_800_000 }), { maxLength: 50 }), (times) => {
        for (const ts of times) expect(p.indexFor(ts)).toBe(fresh(ts));
      }),
    );
  });

  it('rejects, at config time and naming the setting, patterns that cannot name an index', () => {
    expect(indexPatternProblem('Logs-{yyyy}')).toMatch(/lowercase/);
    expect(indexPatternProblem('logs-{yyyy.MMM}')).toMatch(/not a date pattern/);
    expect(indexPatternProblem('logs-{}')).toMatch(/not a date pattern/);
    expect(indexPatternProblem('_logs')).toMatch(/starts with a letter or digit/);
    expect(indexPatternProblem('logs-{yyyy.MM.dd}')).toBeUndefined();
    const parsed = openSearchSinkKind.config.safeParse({ index: 'logs/{yyyy}' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['index']);
    const noField = openSearchSinkKind.config.safeParse({ index: 'logs', documentId: 'field' });
    expect(noField.error?.issues.map((i) => [i.path, i.message])).toEqual([[['idField'], 'documentId: field needs idField (the field that holds the id)']]);
  });
});
