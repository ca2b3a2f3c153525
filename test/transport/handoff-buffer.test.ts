import { describe, expect, it } from 'vitest';
import { HandoffBuffer } from '../../src/transport/handoff-buffer.js';
import type { ConsumedBatch } from '../../src/transport/message-log.js';

function batch(partition: number, n: number, epoch = 1): ConsumedBatch {
  const messages = Array.from({ length: n }, (_, i) => ({ offset: i, key: null, value: Buffer.alloc(10), headers: {}, timestamp: 0 }));
  return { topic: 't', partition, epoch, messages, highWatermark: n };
}

function flow(): { events: string[]; full: () => void; room: () => void } {
  const events: string[] = [];
  return { events, full: () => events.push('full'), room: () => events.push('room') };
}

describe('HandoffBuffer', () => {
  it('signals full at the record bound and room only once half of it is taken back', async () => {
    const f = flow();
    const buffer = new HandoffBuffer({ maxRecords: 100, maxBytes: 1 << 20 }, f);
    for (let i = 0; i < 4; i++) buffer.push(batch(i, 30));
    expect(f.events).toEqual(['full']);
    await buffer.take();
    await buffer.take();
    expect(buffer.size.records).toBe(60);
    expect(f.events).toEqual(['full']);
    await buffer.take();
    expect(f.events).toEqual(['full', 'room']);
  });

  it('signals full at the byte bound', () => {
    const f = flow();
    const buffer = new HandoffBuffer({ maxRecords: 1_000_000, maxBytes: 250 }, f);
    buffer.push(batch(0, 20));
    expect(f.events).toEqual([]);
    buffer.push(batch(1, 10));
    expect(f.events).toEqual(['full']);
  });

  it('hands a batch straight to a waiting reader', async () => {
    const buffer = new HandoffBuffer({ maxRecords: 10, maxBytes: 1000 }, flow());
    const taken = buffer.take();
    buffer.push(batch(3, 5));
    expect((await taken).partition).toBe(3);
    expect(buffer.size).toEqual({ records: 0, bytes: 0, batches: 0 });
  });

  it('drops the batches of revoked partitions and makes room', () => {
    const f = flow();
    const buffer = new HandoffBuffer({ maxRecords: 60, maxBytes: 1 << 20 }, f);
    buffer.push(batch(0, 30));
    buffer.push(batch(1, 30));
    expect(buffer.drop((b) => b.partition !== 1)).toBe(30);
    expect(f.events).toEqual(['full', 'room']);
    expect(buffer.size.batches).toBe(1);
  });

  it('fails the waiting reader and every later take with the first error', async () => {
    const buffer = new HandoffBuffer({ maxRecords: 10, maxBytes: 1000 }, flow());
    const taken = buffer.take();
    buffer.fail(new Error('lost the broker'));
    buffer.fail(new Error('second'));
    await expect(taken).rejects.toThrow('lost the broker');
    await expect(buffer.take()).rejects.toThrow('lost the broker');
  });
});
