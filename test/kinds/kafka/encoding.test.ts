import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../../../src/kinds/kafka/encoding.js';
import { fromMessage, STREAM_HEADER, toMessage } from '../../../src/kinds/kafka/record-mapping.js';

describe('kafka value encodings', () => {
  it('round-trips objects and strings through json and msgpack', () => {
    for (const encoding of ['json', 'msgpack'] as const) {
      for (const value of [{ a: 1, b: ['x', null], c: { d: true } }, 'plain text']) {
        expect(decodeValue(encodeValue(value, encoding), encoding)).toEqual({ ok: true, value });
      }
    }
  });

  it('raw keeps bytes as they are and writes text as UTF-8', () => {
    const bytes = Buffer.from([0, 255, 1]);
    expect(encodeValue(bytes, 'raw')).toEqual(bytes);
    expect(encodeValue('héllo', 'raw').toString('utf8')).toBe('héllo');
    expect(decodeValue(Buffer.from('héllo'), 'raw')).toEqual({ ok: true, value: Buffer.from('héllo') });
  });

  it('reports values that are not valid, or not an object or string, instead of throwing', () => {
    expect(decodeValue(Buffer.from('{oops'), 'json')).toMatchObject({ ok: false, reason: expect.stringMatching(/^not valid json/) });
    expect(decodeValue(Buffer.from('[1,2]'), 'json')).toEqual({ ok: false, reason: 'json value is an array, expected an object or a string' });
    expect(decodeValue(Buffer.from('hello'), 'msgpack')).toMatchObject({ ok: false });
    expect(decodeValue(null, 'raw')).toMatchObject({ ok: false, reason: expect.stringContaining('tombstone') });
  });

  it('carries key, stream, headers and event time through a message and back', () => {
    const record = { value: { msg: 'hi' }, key: 'k1', stream: 'web-1', ts: 1234, headers: { app: 'shop' } };
    const message = toMessage(record, 'json');
    expect(message.headers).toEqual({ app: 'shop', [STREAM_HEADER]: 'web-1' });
    const back = fromMessage({ offset: 7, key: Buffer.from('k1'), value: message.value, headers: message.headers ?? {}, timestamp: 1234 }, 'json');
    expect(back).toEqual({ ok: true, record });
  });
});
