import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ack } from '../../src/streams/ack.js';
import { makeBatch, type Batch } from '../../src/streams/batch.js';
import { Channel, ChannelOverflowError } from '../../src/streams/channel.js';
import type { ChannelConfig } from '../../src/streams/overflow.js';

function batch(seqs: number[], onAck?: (ok: boolean) => void): Batch {
  return makeBatch(
    seqs.map((s) => ({ value: `r${s}`, ts: 0 })),
    onAck ? Ack.root((o) => onAck(o.ok)) : Ack.none(),
    `p${seqs[0]}`,
  );
}

const config = (c: Partial<ChannelConfig>): ChannelConfig => ({ maxRecords: 10, maxBytes: 1 << 20, overflow: 'backpressure', ...c });

describe('Channel', () => {
  it('never holds more records than its capacity and delivers every record in order (backpressure)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 10 }),
        async (capacity, sizes, consumerDelays) => {
          const ch = new Channel('t', config({ maxRecords: capacity }));
          const release = ch.addProducer();
          let seq = 0;
          const producer = (async () => {
            for (const n of sizes) {
              await ch.offer(batch(Array.from({ length: n }, () => seq++)));
              expect(ch.stats.depthRecords).toBeLessThanOrEqual(capacity);
            }
            release();
          })();
          const got: string[] = [];
          for (let i = 0; ; i++) {
            const lease = await ch.take();
            if (lease === undefined) break;
            expect(ch.stats.depthRecords).toBeLessThanOrEqual(capacity);
            for (let d = 0; d < consumerDelays[i % consumerDelays.length]!; d++) await Promise.resolve();
            got.push(...lease.batch.records.map((r) => r.value as string));
            lease.release();
          }
          await producer;
          expect(got).toEqual(Array.from({ length: seq }, (_, i) => `r${i}`));
          expect(ch.stats.maxDepthRecords).toBeLessThanOrEqual(capacity);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('makes a producer wait while the consumer holds all the credit', async () => {
    const ch = new Channel('t', config({ maxRecords: 2 }));
    await ch.offer(batch([1, 2]));
    let accepted = false;
    const offer = ch.offer(batch([3])).then(() => (accepted = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(accepted).toBe(false);
    const lease = await ch.take();
    await new Promise((r) => setTimeout(r, 5));
    expect(accepted).toBe(false); // taken but not released: still in flight, still counted
    lease?.release();
    await offer;
    expect(accepted).toBe(true);
  });

  it('redelivers a requeued batch first, without exceeding capacity', async () => {
    const ch = new Channel('t', config({ maxRecords: 4 }));
    await ch.offer(batch([1, 2]));
    await ch.offer(batch([3, 4]));
    const first = await ch.take();
    first?.requeue();
    expect(ch.stats.depthRecords).toBe(4);
    expect((await ch.take())?.batch.position).toBe('p1');
  });

  it('splits a batch larger than the capacity and acks it once every piece is acked', async () => {
    const acks: boolean[] = [];
    const ch = new Channel('t', config({ maxRecords: 3 }));
    const release = ch.addProducer();
    const offered = ch.offer(batch([0, 1, 2, 3, 4, 5, 6], (ok) => acks.push(ok))).then(release);
    let n = 0;
    for (;;) {
      const lease = await ch.take();
      if (!lease) break;
      expect(lease.batch.records.length).toBeLessThanOrEqual(3);
      n += lease.batch.records.length;
      expect(acks).toEqual([]);
      lease.batch.ack.done();
      lease.release();
    }
    await offered;
    expect(n).toBe(7);
    expect(acks).toEqual([true]);
  });

  it('counts and acks what dropNew and dropHead drop, and keeps the newest under dropHead', async () => {
    const dropped: string[] = [];
    const newCh = new Channel('n', config({ maxRecords: 2, overflow: 'dropNew' }));
    const headCh = new Channel('h', config({ maxRecords: 2, overflow: 'dropHead' }));
    for (const ch of [newCh, headCh]) {
      for (let i = 0; i < 5; i++) await ch.offer(batch([i], () => dropped.push(`${ch.name}${i}`)));
    }
    expect(newCh.stats.droppedRecords).toBe(3);
    expect(headCh.stats.droppedRecords).toBe(3);
    expect(dropped).toEqual(['n2', 'n3', 'n4', 'h0', 'h1', 'h2']);
    expect((await headCh.take())?.batch.position).toBe('p3');
  });

  it('throws on overflow under the fail policy', async () => {
    const ch = new Channel('f', config({ maxRecords: 1, overflow: 'fail' }));
    await ch.offer(batch([1]));
    await expect(ch.offer(batch([2]))).rejects.toBeInstanceOf(ChannelOverflowError);
  });

  it('bounds bytes as well as records', async () => {
    const ch = new Channel('b', config({ maxRecords: 100, maxBytes: 10 }));
    await ch.offer(batch([1, 2])); // "r1" + "r2" = 4 bytes
    await ch.offer(batch([3, 4, 5])); // 6 more: exactly 10
    expect(ch.tryOffer(batch([6]))).toBe(false);
    expect(ch.stats.depthBytes).toBe(10);
  });
});
