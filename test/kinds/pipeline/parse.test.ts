import { describe, expect, it } from 'vitest';
import {
  parseJsonLine,
  parseMillraceLine,
  parseTimestamp,
} from '../../../src/formats/line-format.js';
import { parseKind } from '../../../src/kinds/parse.js';
import type { LogRecord } from '../../../src/streams/record.js';
import { runStage } from './helpers.js';

function line(text: string, n: number): LogRecord {
  return { value: text, key: 'f', ts: 0, headers: { file: 'hdfs:/a.log', line: String(n) } };
}

describe('parse (millrace format)', () => {
  it('parses the contract line, lifting user out of the fields', () => {
    expect(
      parseMillraceLine('2026-11-20T08:15:02.113Z shop ad_show user=u1042 ad=a17 slot=top'),
    ).toEqual({
      ok: true,
      ms: Date.UTC(2026, 10, 20, 8, 15, 2, 113),
      event: {
        ts: '2026-11-20T08:15:02.113Z',
        day: '2026-11-20',
        app: 'shop',
        event: 'ad_show',
        user: 'u1042',
        fields: { ad: 'a17', slot: 'top' },
      },
    });
  });

  it('reads quoted values with escapes, empty values, and no user as null', () => {
    const r = parseMillraceLine(
      '2026-11-20T23:59:59Z maps error code=E503 msg="disk \\"sda\\" full at C:\\\\tmp" note=  empty=',
    );
    expect(r).toMatchObject({
      ok: true,
      event: {
        user: null,
        fields: { code: 'E503', msg: 'disk "sda" full at C:\\tmp', note: '', empty: '' },
      },
    });
  });

  it('keeps a field named __proto__ as a plain field instead of losing it', () => {
    const r = parseMillraceLine('2026-11-20T08:15:02Z shop x __proto__=a constructor=b');
    if (!r.ok) throw new Error(r.error);
    expect(Object.keys(r.event.fields)).toEqual(['__proto__', 'constructor']);
    expect(JSON.stringify(r.event.fields)).toBe('{"__proto__":"a","constructor":"b"}');
    expect(Object.getPrototypeOf(r.event.fields)).toBe(Object.prototype);
  });

  it('normalises a zone offset to UTC, including the day', () => {
    const r = parseMillraceLine('2026-11-21T01:30:00+02:00 news page_view user=u1');
    expect(r).toMatchObject({
      ok: true,
      event: { ts: '2026-11-20T23:30:00.000Z', day: '2026-11-20' },
    });
  });

  it('reads timestamps strictly: fractions of any precision, offsets, and no rolled-over dates', () => {
    expect(parseTimestamp('2026-11-20T08:15:02Z')).toBe(Date.UTC(2026, 10, 20, 8, 15, 2));
    expect(parseTimestamp('2026-11-20T08:15:02.5Z')).toBe(Date.UTC(2026, 10, 20, 8, 15, 2, 500));
    expect(parseTimestamp('2026-11-20T08:15:02.123456789Z')).toBe(
      Date.UTC(2026, 10, 20, 8, 15, 2, 123),
    );
    expect(parseTimestamp('2026-11-20T08:15:02-05:30')).toBe(Date.UTC(2026, 10, 20, 13, 45, 2));
    expect(parseTimestamp('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTimestamp('2000-02-29T00:00:00Z')).toBe(Date.UTC(2000, 1, 29));
    expect(parseTimestamp('1900-02-29T00:00:00Z')).toBeUndefined();
    expect(parseTimestamp('0050-01-01T00:00:00Z')).toBe(Date.parse('0050-01-01T00:00:00Z'));
    for (const bad of [
      '2026-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-11-20T24:00:00Z',
      '2026-11-20T08:60:00Z',
      '2026-11-20T08:15:02',
      '2026-11-20T08:15:02.Z',
      '2026-11-20T08:15:02+0100',
      '2026-11-20 08:15:02Z',
    ]) {
      expect(parseTimestamp(bad), bad).toBeUndefined();
    }
  });

  it.each([
    ['garbage', 'expected "<timestamp> <app> <event> key=value...", found "garbage"'],
    [
      '2026-11-20T08:15:02Z shop',
      'expected "<timestamp> <app> <event> key=value...", found "2026-11-20T08:15:02Z shop"',
    ],
    [
      '2026-13-45T99:00:00Z shop page_view',
      'expected an ISO-8601 timestamp with zone first, found "2026-13-45T99:00:00Z"',
    ],
    [
      'yesterday shop page_view user=u1',
      'expected an ISO-8601 timestamp with zone first, found "yesterday"',
    ],
    ['2026-11-20T08:15:02Z shop page_view user', 'expected key=value, found "user"'],
    ['2026-11-20T08:15:02Z shop error msg="unterminated', 'unterminated quoted value of msg'],
    ['2026-11-20T08:15:02Z shop error msg="a"b', 'expected a space after the quoted value of msg'],
  ])('rejects %j', (text, error) => {
    expect(parseMillraceLine(text)).toEqual({ ok: false, error });
  });
});

describe('parse (json format)', () => {
  it('takes ts as ISO string or epoch ms and puts the other keys into fields', () => {
    expect(
      parseJsonLine(
        '{"ts":1795162502113,"app":"shop","event":"purchase","user":42,"price":12.5,"tags":["a"]}',
      ),
    ).toEqual({
      ok: true,
      ms: 1795162502113,
      event: {
        ts: '2026-11-20T08:15:02.113Z',
        day: '2026-11-20',
        app: 'shop',
        event: 'purchase',
        user: '42',
        fields: { price: 12.5, tags: ['a'] },
      },
    });
    expect(parseJsonLine('{"ts":"2026-11-20T08:15:02Z","app":"a","event":"e"}')).toMatchObject({
      ok: true,
      event: { user: null, fields: {} },
    });
  });

  it.each([
    ['{"ts":', /^invalid JSON \(.+\): "\{\\"ts\\":"$/],
    ['[1,2]', /^expected a JSON object, found "\[1,2\]"$/],
    ['{"app":"a","event":"e"}', /^expected "ts" as an ISO-8601 timestamp/],
    ['{"ts":1e300,"app":"a","event":"e"}', /^expected "ts" as an ISO-8601 timestamp/],
    ['{"ts":0,"app":"","event":"e"}', /^expected "app" as a non-empty string/],
    ['{"ts":0,"app":"a","event":7}', /^expected "event" as a non-empty string/],
    ['{"ts":0,"app":"a","event":"e","user":{}}', /^expected "user" as a string, number or null/],
  ])('rejects %j', (text, error) => {
    const r = parseJsonLine(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });
});

describe('parse stage', () => {
  it('emits events with the event time as record ts and dead-letters bad lines with their line number', async () => {
    const out = await runStage(parseKind, {}, [
      line('2026-11-20T08:15:02.113Z shop ad_click user=u7 ad=a1 slot=top', 11),
      line('garbage', 12),
      { value: { x: 1 }, ts: 0, headers: { line: '13' } },
    ]);
    expect(out.records).toHaveLength(1);
    expect(out.records[0]).toMatchObject({
      ts: Date.UTC(2026, 10, 20, 8, 15, 2, 113),
      key: 'f',
      headers: { file: 'hdfs:/a.log', line: '11' },
    });
    expect(out.records[0]?.value).toMatchObject({ app: 'shop', event: 'ad_click', user: 'u7' });
    expect(out.dead.map((d) => d.reason)).toEqual([
      'line 12: expected "<timestamp> <app> <event> key=value...", found "garbage"',
      'line 13: parse expects a text line, got a structure',
    ]);
    expect(out.dead[0]?.record.headers?.file).toBe('hdfs:/a.log');
    expect(out.status).toEqual({ parsed: 1, rejected: 1 });
  });

  it('parses JSON lines when configured so', async () => {
    const out = await runStage(parseKind, { format: 'json' }, [
      line('{"ts":"2026-11-20T00:00:00Z","app":"video","event":"page_view"}', 1),
    ]);
    expect(out.records[0]?.value).toMatchObject({ app: 'video', day: '2026-11-20' });
  });
});
