import { describe, expect, it } from 'vitest';
import { toRow } from '../../src/db/event-row.js';
import type { LogRecord } from '../../src/streams/record.js';

const good: LogRecord = {
  value: { ts: '2026-11-20T08:15:02.113Z', day: '2026-11-20', app: 'shop', event: 'ad_show', user: 'u1042', fields: { ad: 'a17', slot: 'top' } },
  ts: 0,
  headers: { file: 'hdfs:/logs/a.log.gz', line: '12' },
};

function withValue(patch: Record<string, unknown>): LogRecord {
  return { ...good, value: { ...(good.value as object), ...patch } as LogRecord['value'] };
}

describe('toRow', () => {
  it('maps a parsed record and its file/line headers to a row with fields as JSON', () => {
    expect(toRow(good)).toEqual({
      row: { file: 'hdfs:/logs/a.log.gz', line: 12, ts: '2026-11-20T08:15:02.113Z', day: '2026-11-20', app: 'shop', event: 'ad_show', user: 'u1042', fields: '{"ad":"a17","slot":"top"}' },
    });
  });

  it('accepts epoch milliseconds for ts and takes a missing day from ts in UTC', () => {
    const result = toRow(withValue({ ts: Date.UTC(2026, 10, 20, 23, 59), day: undefined, user: undefined, fields: undefined }));
    expect(result).toMatchObject({ row: { ts: '2026-11-20T23:59:00.000Z', day: '2026-11-20', user: null, fields: '{}' } });
  });

  it.each([
    ['a missing file header', { ...good, headers: { line: '1' } }, /header file/],
    ['a missing line header', { ...good, headers: { file: 'f' } }, /header line missing is not/],
    ['a line number that is not positive', { ...good, headers: { file: 'f', line: '0' } }, /positive line number/],
    ['a raw string value', { ...good, value: 'not parsed' }, /not a parsed record/],
    ['an unparseable ts', withValue({ ts: 'yesterday' }), /ts "yesterday"/],
    ['a malformed day', withValue({ day: '20-11-2026' }), /day "20-11-2026"/],
    ['an empty app', withValue({ app: '' }), /app must be a non-empty string/],
    ['a numeric event', withValue({ event: 5 }), /event must be/],
    ['a user too long for its column', withValue({ user: 'u'.repeat(256) }), /user must be/],
    ['fields that are an array', withValue({ fields: [1, 2] }), /fields must be an object/],
  ] as const)('rejects %s with a reason', (_name, record, reason) => {
    const result = toRow(record as LogRecord);
    expect('reason' in result && result.reason).toMatch(reason);
  });

  it('stores ISO-8601 text exactly as a round trip through Date would, real dates or not', () => {
    const texts = [
      '2026-11-20T08:15:02.113Z',
      '2024-02-29T23:59:59.999Z',
      '2023-02-29T00:00:00.000Z',
      '1900-02-29T00:00:00.000Z',
      '2000-02-29T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-12-31T24:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '2026-11-20T08:15:60.000Z',
      '2026-11-20T08:15:02.11xZ',
      '2026-11-20T08:15:02.113+00:00',
      '2026-11-20T08:15:02Z',
    ];
    for (let day = 0; day < 800; day++) texts.push(new Date(Date.UTC(2023, 0, 1) + day * 86_400_000 + day * 3_723_001).toISOString());
    for (const ts of texts) {
      const ms = Date.parse(ts);
      const result = toRow(withValue({ ts, day: undefined }));
      if (Number.isNaN(ms)) expect(result, ts).toHaveProperty('reason');
      else expect(result, ts).toMatchObject({ row: { ts: new Date(ms).toISOString() } });
    }
  });
});
