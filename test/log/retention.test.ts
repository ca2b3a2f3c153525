import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EmbeddedLog, OffsetOutOfRange, type EmbeddedLogConfigInput } from '../../src/log/index.js';
import { countSegmentsToDelete } from '../../src/log/retention.js';
import { tempDir } from './helpers.js';

const value = new Uint8Array(1000);

describe('embedded log retention', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: EmbeddedLog | undefined;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('millrace-retention-'));
  });
  afterEach(async () => {
    await log?.close();
    await cleanup();
  });

  async function openWith(extra: Partial<EmbeddedLogConfigInput>): Promise<EmbeddedLog> {
    log = await EmbeddedLog.open({ dir, segmentBytes: 4096, fsync: { mode: 'batch' }, ...extra });
    await log.createTopic('t', { partitions: 1 });
    return log;
  }

  /** 3 records (~3.1 KB) per append, so every append fills one 4 KiB segment. */
  async function appendSegments(l: EmbeddedLog, n: number, ts: (i: number) => number): Promise<void> {
    for (let i = 0; i < n; i++) {
      await l.append('t', 0, [0, 1, 2].map(() => ({ value, ts: ts(i) })));
    }
  }

  const segmentFiles = async (): Promise<string[]> => (await readdir(path.join(dir, 't', '0'))).filter((n) => n.endsWith('.log'));

  it('by size deletes the oldest closed segments and reads below the new start throw OffsetOutOfRange', async () => {
    const l = await openWith({ retention: { bytes: 10_000 } });
    await appendSegments(l, 6, () => Date.now());
    expect(await segmentFiles()).toHaveLength(6);
    const deleted = await l.enforceRetention();
    expect(deleted).toBe(3);
    const info = l.describePartition('t', 0);
    expect(info.sizeBytes).toBeLessThanOrEqual(10_000);
    expect(info.logStartOffset).toBe(9);
    expect(await segmentFiles()).toHaveLength(3);

    const err = await l.read('t', 0, 8).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OffsetOutOfRange);
    expect(err).toMatchObject({ requested: 8, logStartOffset: 9, highWatermark: 18, code: 'OFFSET_OUT_OF_RANGE' });
    expect((await l.read('t', 0, 9)).records[0]?.offset).toBe(9);

    // The new start survives a reopen; appends continue after the high watermark.
    await l.close();
    const reopened = await openWith({ retention: { bytes: 10_000 } });
    expect(reopened.startOffset('t', 0)).toBe(9);
    expect((await reopened.append('t', 0, [{ value, ts: 0 }])).baseOffset).toBe(18);
  });

  it('by age deletes segments whose newest record is older than retention.ms, including an idle active segment', async () => {
    const l = await openWith({ retention: { ms: 60_000 } });
    const now = 1_000_000_000;
    // Segments 0-2 are 2 minutes old, 3-4 are fresh.
    await appendSegments(l, 5, (i) => (i < 3 ? now - 120_000 : now - 1_000));
    expect(await l.enforceRetention(now)).toBe(3);
    expect(l.startOffset('t', 0)).toBe(9);
    await expect(l.read('t', 0, 0)).rejects.toBeInstanceOf(OffsetOutOfRange);

    // Later everything has expired: the active segment is sealed and removed too.
    expect(await l.enforceRetention(now + 120_000)).toBe(2);
    expect(l.startOffset('t', 0)).toBe(15);
    expect(l.endOffset('t', 0)).toBe(15);
    expect((await l.read('t', 0, 15)).records).toEqual([]);
    const err = (await l.read('t', 0, 14).catch((e: unknown) => e)) as OffsetOutOfRange;
    expect([err.logStartOffset, err.highWatermark]).toEqual([15, 15]);
    expect((await l.append('t', 0, [{ value, ts: now }])).baseOffset).toBe(15);
  });

  it('runs in the background every retention.checkIntervalMs', async () => {
    const l = await openWith({ retention: { bytes: 5_000, checkIntervalMs: 20 } });
    await appendSegments(l, 4, () => Date.now());
    await vi.waitFor(() => expect(l.startOffset('t', 0)).toBe(9), { timeout: 5_000, interval: 10 });
  });

  it('a read racing retention returns a contiguous run from the requested offset or OffsetOutOfRange, never a gap', async () => {
    const l = await openWith({ retention: { bytes: 5_000 } });
    await appendSegments(l, 4, () => Date.now());
    const reading = l.read('t', 0, 0, { maxRecords: 100, maxBytes: 1 << 20 });
    await l.enforceRetention();
    const r = await reading.catch((e: unknown) => e);
    if (r instanceof OffsetOutOfRange) {
      expect(r.logStartOffset).toBe(9);
    } else {
      const { records, nextOffset } = r as { records: { offset: number }[]; nextOffset: number };
      expect(records.map((x) => x.offset)).toEqual(Array.from({ length: nextOffset }, (_, i) => i));
      expect(nextOffset).toBeGreaterThan(0);
    }
    await expect(l.read('t', 0, 0)).rejects.toBeInstanceOf(OffsetOutOfRange);
  });
});

describe('countSegmentsToDelete', () => {
  const segs = [
    { size: 100, maxTimestamp: 10 },
    { size: 100, maxTimestamp: 50 },
    { size: 100, maxTimestamp: 20 },
  ];
  it('deletes only an oldest-first prefix', () => {
    expect(countSegmentsToDelete(segs, 0, { bytes: null, ms: 40 }, 70)).toBe(1); // segment 2 expired but 1 is not
    expect(countSegmentsToDelete(segs, 0, { bytes: null, ms: 5 }, 70)).toBe(3);
  });
  it('keeps the partition within bytes, counting the active segment', () => {
    expect(countSegmentsToDelete(segs, 50, { bytes: 250, ms: null }, 0)).toBe(1);
    expect(countSegmentsToDelete(segs, 50, { bytes: 10, ms: null }, 0)).toBe(3);
    expect(countSegmentsToDelete(segs, 50, { bytes: 1000, ms: null }, 0)).toBe(0);
  });
});
