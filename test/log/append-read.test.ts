import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedLog, EmbeddedLogConfigSchema, InvalidRecord, OffsetOutOfRange, TopicExists, UnknownTopicOrPartition } from '../../src/log/index.js';
import { tempDir } from './helpers.js';

const enc = (s: string): Uint8Array => Buffer.from(s);
const dec = (u: Uint8Array): string => Buffer.from(u).toString();

describe('embedded log append and read', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: EmbeddedLog;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    log = await EmbeddedLog.open({ dir, fsync: { mode: 'batch' }, segmentBytes: 4096 });
    await log.createTopic('events', { partitions: 2 });
  });
  afterEach(async () => {
    await log.close();
    await cleanup();
  });

  it('assigns contiguous offsets from 0 per partition', async () => {
    const a = await log.append('events', 0, [{ value: enc('a'), ts: 1 }, { value: enc('b'), ts: 2 }]);
    const b = await log.append('events', 0, [{ value: enc('c'), ts: 3 }]);
    const c = await log.append('events', 1, [{ value: enc('x'), ts: 4 }]);
    expect(a).toEqual({ baseOffset: 0, lastOffset: 1 });
    expect(b).toEqual({ baseOffset: 2, lastOffset: 2 });
    expect(c).toEqual({ baseOffset: 0, lastOffset: 0 });
    expect(log.endOffset('events', 0)).toBe(3);
    expect(log.flushedOffset('events', 0)).toBe(3);
  });

  it('round-trips keys, headers, timestamps and values', async () => {
    const rec = { key: 'k-é', value: enc('v'), headers: { 'content-type': 'json', __proto__x: 'y' }, ts: 1.5e12 };
    await log.append('events', 0, [rec, { value: new Uint8Array(0), ts: -1 }]);
    const { records, nextOffset, highWatermark } = await log.read('events', 0, 0);
    expect(nextOffset).toBe(2);
    expect(highWatermark).toBe(2);
    expect(records[0]).toMatchObject({ offset: 0, key: 'k-é', headers: rec.headers, ts: 1.5e12 });
    expect(dec(records[0]!.value)).toBe('v');
    expect(records[1]).toEqual({ offset: 1, ts: -1, value: new Uint8Array(0) });
  });

  it('concurrent appends get distinct contiguous offsets in call order', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => log.append('events', 0, [{ value: enc(`r${i}`), ts: i }])),
    );
    expect(results.map((r) => r.baseOffset)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const { records } = await log.read('events', 0, 0, { maxRecords: 1000 });
    expect(records.map((r) => dec(r.value))).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
  });

  it('honours maxRecords and maxBytes, always returning at least one record', async () => {
    const big = new Uint8Array(300);
    for (let b = 0; b < 4; b++) {
      await log.append('events', 0, Array.from({ length: 10 }, (_, i) => ({ value: big, ts: b * 10 + i })));
    }
    // One append never spans segments; 10 x ~340 B appends roll the 4 KiB segment each time.
    expect(log.describePartition('events', 0).segments.map((s) => s.baseOffset)).toEqual([0, 10, 20, 30]);
    expect((await log.read('events', 0, 5, { maxRecords: 3 })).records.map((r) => r.offset)).toEqual([5, 6, 7]);
    const byBytes = await log.read('events', 0, 0, { maxBytes: 1000 });
    expect(byBytes.records.length).toBe(2); // frames are ~340 bytes
    expect((await log.read('events', 0, 0, { maxBytes: 1 })).records.length).toBe(1);
    // Reading across segment boundaries returns everything in order.
    const all = await log.read('events', 0, 0, { maxRecords: 1000, maxBytes: 1 << 20 });
    expect(all.records.map((r) => r.offset)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(all.nextOffset).toBe(40);
  });

  it('returns nothing at the high watermark and throws OffsetOutOfRange above it', async () => {
    await log.append('events', 0, [{ value: enc('a'), ts: 1 }]);
    expect((await log.read('events', 0, 1)).records).toEqual([]);
    const err = await log.read('events', 0, 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OffsetOutOfRange);
    expect(err).toMatchObject({ requested: 2, logStartOffset: 0, highWatermark: 1 });
  });

  it('rejects malformed records, unknown partitions and conflicting topics', async () => {
    await expect(log.append('events', 0, [{ value: 'nope' as unknown as Uint8Array, ts: 1 }])).rejects.toBeInstanceOf(InvalidRecord);
    await expect(log.append('events', 0, [{ value: enc('a'), ts: NaN }])).rejects.toBeInstanceOf(InvalidRecord);
    await expect(log.append('events', 2, [{ value: enc('a'), ts: 1 }])).rejects.toBeInstanceOf(UnknownTopicOrPartition);
    await expect(log.read('nope', 0, 0)).rejects.toBeInstanceOf(UnknownTopicOrPartition);
    await expect(log.createTopic('events', { partitions: 3 })).rejects.toBeInstanceOf(TopicExists);
    await log.createTopic('events', { partitions: 2 }); // idempotent
    expect(log.endOffset('events', 0)).toBe(0);
  });

  it('keeps records and committed offsets across a clean reopen', async () => {
    await log.append('events', 1, [{ value: enc('a'), ts: 1 }, { value: enc('b'), ts: 2 }]);
    await log.commitOffset('indexer', 'events', 1, 2);
    await log.commitOffsets('weird/../group.', [{ topic: 'events', partition: 0, offset: 0 }]);
    await log.close();
    log = await EmbeddedLog.open({ dir });
    expect(log.topics()).toEqual(['events']);
    expect(log.partitionCount('events')).toBe(2);
    expect(log.committedOffset('indexer', 'events', 1)).toBe(2);
    expect(log.committedOffset('weird/../group.', 'events', 0)).toBe(0);
    expect(log.committedOffset('indexer', 'events', 0)).toBeUndefined();
    expect(log.recovery.every((r) => r.truncatedBytes === 0 && r.droppedFrames === 0)).toBe(true);
    const { records } = await log.read('events', 1, 0);
    expect(records.map((r) => dec(r.value))).toEqual(['a', 'b']);
    expect(await log.append('events', 1, [{ value: enc('c'), ts: 3 }])).toEqual({ baseOffset: 2, lastOffset: 2 });
  });

  it('close waits for every accepted append, even when they span several write groups', async () => {
    const value = new Uint8Array(200 * 1024);
    const appends = Array.from({ length: 20 }, (_, i) => log.append('events', 0, [{ value, ts: i }]));
    await log.close();
    expect((await Promise.all(appends)).map((r) => r.baseOffset)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await expect(log.append('events', 0, [{ value, ts: 0 }])).rejects.toMatchObject({ code: 'LOG_CLOSED' });
    log = await EmbeddedLog.open({ dir });
    expect(log.endOffset('events', 0)).toBe(20);
  });

  it('refuses a second open of the same directory', async () => {
    await expect(EmbeddedLog.open({ dir })).rejects.toMatchObject({ code: 'LOG_LOCKED' });
  });
});

describe('embedded log config schema', () => {
  it('applies defaults and rejects unknown keys', () => {
    const cfg = EmbeddedLogConfigSchema.parse({ dir: '/x' });
    expect(cfg.fsync).toEqual({ mode: 'interval', intervalMs: 500 });
    expect(cfg.retention).toEqual({ bytes: null, ms: null, checkIntervalMs: 30_000 });
    expect(EmbeddedLogConfigSchema.parse({ dir: '/x', fsync: { mode: 'interval' } }).fsync).toEqual({ mode: 'interval', intervalMs: 500 });
    expect(() => EmbeddedLogConfigSchema.parse({ dir: '/x', segmentbytes: 1 })).toThrow();
    expect(() => EmbeddedLogConfigSchema.parse({ dir: '/x', fsync: { mode: 'batch', intervalMs: 5 } })).toThrow();
  });

  it('describes every field', () => {
    const json = JSON.stringify(EmbeddedLogConfigSchema.toJSONSchema());
    const props = (s: unknown): void => {
      if (typeof s !== 'object' || s === null) return;
      const o = s as Record<string, unknown>;
      if (o.properties !== undefined) {
        for (const [k, v] of Object.entries(o.properties as Record<string, Record<string, unknown>>)) {
          expect(v.description, `field ${k}`).toEqual(expect.any(String));
          props(v);
        }
      }
      for (const v of Object.values(o)) if (typeof v === 'object') props(v);
    };
    props(JSON.parse(json));
  });
});
