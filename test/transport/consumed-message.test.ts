import type { IHeaders, KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { toConsumed } from '../../src/transport/kafka-consumer.js';

function fetched(headers: IHeaders): KafkaMessage {
  return { magicByte: 2, attributes: 0, offset: '41', timestamp: '1700000000000', key: null, value: Buffer.from('v'), headers } as KafkaMessage;
}

describe('a fetched Kafka record as millrace reads it', () => {
  it('has its offset and timestamp as numbers and header values as text (valid UTF-8) or bytes, the first of a repeated name', () => {
    const m = toConsumed(fetched({ a: Buffer.from('x'), b: Buffer.from([0xff]), c: [Buffer.from('1'), Buffer.from('2')] }));
    expect(m).toMatchObject({ offset: 41, timestamp: 1_700_000_000_000, headers: { a: 'x', b: Buffer.from([0xff]), c: '1' } });
  });

  it('leaves out header values that are null (a record with one used to fail its whole batch)', () => {
    const headers = { n: null, m: [null, Buffer.from('y')] } as unknown as IHeaders;
    expect(toConsumed(fetched(headers)).headers).toEqual({});
  });

  it('keeps a header named __proto__ as data', () => {
    const headers: Record<string, Buffer> = {};
    Object.defineProperty(headers, '__proto__', { value: Buffer.from('p'), enumerable: true });
    const out = toConsumed(fetched(headers)).headers;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.entries(out)).toEqual([['__proto__', 'p']]);
  });
});
