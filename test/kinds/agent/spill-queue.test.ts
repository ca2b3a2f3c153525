import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpillQueue, type AtCap, type QueuedBatch } from '../../../src/gate/spill-queue.js';

const SEGMENT = 4096;
const MAX = 2 * SEGMENT;
/** Largest batch the property appends, with the frame and headers around it. */
const LARGEST_ENTRY = 1200 + 200;

type Op = { op: 'append'; stream: number; bytes: number } | { op: 'take'; n: number } | { op: 'ack'; pick: number } | { op: 'restart' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('append' as const), stream: fc.integer({ min: 0, max: 3 }), bytes: fc.integer({ min: 1, max: 1200 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('take' as const), n: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('ack' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
);

const aborted = AbortSignal.abort();

/** Runs that reached the cap, so the property is known to cover it. */
let reachedCap = 0;

/**
 * Drives a queue through appends, takes, acks in any order and restarts (a reopen of the same
 * directory, as after kill -9 of the agent), against a model: every batch appended and not
 * dropped is handed out, each stream's batches in append order, with its content; the queue
 * never grows past maxBytes by more than one batch; batches handed out again after a restart are
 * only those not yet done (duplicates bounded by what was acked out of order).
 */
async function run(atCap: AtCap, ops: Op[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-spill-'));
  const open = () => SpillQueue.open(dir, { maxBytes: MAX, segmentBytes: SEGMENT, atCap });
  let q = await open();
  const appended = new Map<number, { stream: string; sequence: string; bytes: number }>();
  const handedOut: QueuedBatch[] = [];
  let outstanding: QueuedBatch[] = [];
  const acked = new Set<number>();
  let dropped = 0;
  let sequence = 0;
  const check = (batches: QueuedBatch[]): void => {
    for (const b of batches) {
      const a = appended.get(b.offset);
      expect(a, `batch at ${b.offset} was appended`).toBeDefined();
      expect([b.streamId, b.sequence, b.records.length]).toEqual([a?.stream, a?.sequence, a?.bytes]);
    }
    handedOut.push(...batches);
    outstanding.push(...batches);
  };
  try {
    for (const o of ops) {
      if (o.op === 'append') {
        const full = q.sizeBytes >= MAX;
        if (full) reachedCap++;
        if (full && atCap === 'block') {
          await expect(q.append({ agentId: 'a', streamId: 's', sequence: '0', count: 1, records: Buffer.alloc(1) }, aborted)).rejects.toThrow();
          continue;
        }
        const before = q.droppedBatches;
        const batch = { agentId: 'a', streamId: `s${o.stream}`, sequence: String(++sequence), count: 1, records: Buffer.alloc(o.bytes, o.stream) };
        const offset = await q.append(batch, new AbortController().signal);
        dropped += q.droppedBatches - before;
        appended.set(offset, { stream: batch.streamId, sequence: batch.sequence, bytes: o.bytes });
      } else if (o.op === 'take') {
        check(await q.take(o.n));
      } else if (o.op === 'ack') {
        const live = outstanding.filter((b) => b.offset >= q.lowWater);
        outstanding = live;
        if (live.length === 0) continue;
        const [b] = live.splice(o.pick % live.length, 1) as [QueuedBatch];
        acked.add(b.offset);
        await q.acknowledge(b.offset);
      } else {
        await q.close();
        q = await open();
        outstanding = [];
      }
      expect(q.sizeBytes).toBeLessThan(MAX + LARGEST_ENTRY);
    }
    // Drain: everything left is handed out and acked.
    for (let more = await q.take(8); more.length > 0 || outstanding.length > 0; more = await q.take(8)) {
      check(more);
      for (const b of outstanding.splice(0)) {
        acked.add(b.offset);
        await q.acknowledge(b.offset);
      }
    }
    expect(q.pending).toBe(0);
    const firstHandOut = new Map<number, QueuedBatch>();
    for (const b of handedOut) if (!firstHandOut.has(b.offset)) firstHandOut.set(b.offset, b);
    // A dropped batch may have been handed out before it was dropped.
    expect(firstHandOut.size + dropped, 'every batch handed out or dropped').toBeGreaterThanOrEqual(appended.size);
    if (atCap === 'block') expect([dropped, firstHandOut.size]).toEqual([0, appended.size]);
    // Per stream, first hand-outs come in append (= sequence) order.
    for (const stream of ['s0', 's1', 's2', 's3']) {
      const seqs = handedOut.filter((b) => b.streamId === stream && firstHandOut.get(b.offset) === b).map((b) => Number(b.sequence));
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
  } finally {
    await q.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('agent spill queue', () => {
  it.each(['block', 'drop-oldest'] as const)('(%s at the cap) hands out every batch in order per stream, stays bounded, and resumes after a restart', async (atCap) => {
    reachedCap = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 20, maxLength: 150, size: 'max' }), (ops) => run(atCap, ops)),
      { numRuns: 15, endOnFailure: true },
    );
    expect(reachedCap, 'some runs reached the cap').toBeGreaterThan(0);
  }, 60_000);
});
