import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ActorContext, SinkIO } from '../../../src/actors/io.js';
import { deadletterKind } from '../../../src/kinds/deadletter.js';
import { fileSinkConfig, fileSinkKind } from '../../../src/kinds/file/sink.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch, type Batch } from '../../../src/streams/batch.js';
import type { Origin } from '../../../src/streams/origin.js';
import { actorContext } from '../../kit/actor-context.js';

/** A batch of lines `<tag><position>`, one per position, from `stream` after `start`. */
function batch(stream: string, start: number, positions: number[], tag = 'l'): Batch {
  const origin: Origin = { stream, start, end: positions[positions.length - 1] as number, positions };
  return makeBatch(positions.map((p) => ({ value: `${tag}${p}`, ts: 0 })), Ack.none(), 'test', origin);
}

async function sink(ctx: ActorContext, fsync: 'batch' | 'never' = 'batch'): Promise<SinkIO> {
  const io = await fileSinkKind.create(fileSinkConfig.parse({ path: 'out.txt', format: 'lines', fsync }), ctx);
  await io.connect();
  return io;
}

const output = (ctx: ActorContext): string[] => readFileSync(join(ctx.baseDir, 'out.txt'), 'utf8').split('\n').slice(0, -1);

describe('file sink journal', () => {
  it('after a restart, a replayed batch appends only its records not stored yet, even when cut differently', async () => {
    const ctx = actorContext();
    let io = await sink(ctx);
    await io.write(batch('src/a', 0, [10, 20, 30]));
    await io.write(batch('src/a', 30, [40, 50]));
    await io.close();
    io = await sink(ctx);
    await io.write(batch('src/a', 0, [10, 20, 30, 40, 50, 60]));
    await io.write(batch('src/b', 0, [10]));
    await io.close();
    expect(output(ctx)).toEqual(['l10', 'l20', 'l30', 'l40', 'l50', 'l60', 'l10']);
  });

  it('cuts off bytes written after the last journalled batch (a write interrupted by a crash), and they come again', async () => {
    const ctx = actorContext();
    let io = await sink(ctx);
    await io.write(batch('src/a', 0, [10, 20]));
    await io.close();
    appendFileSync(join(ctx.baseDir, 'out.txt'), 'l30\nl4');
    io = await sink(ctx);
    expect(output(ctx)).toEqual(['l10', 'l20']);
    await io.write(batch('src/a', 20, [30, 40]));
    await io.close();
    expect(output(ctx)).toEqual(['l10', 'l20', 'l30', 'l40']);
  });

  it('keeps batches without an origin (at-least-once) and appends to a file it did not write as it is', async () => {
    const ctx = actorContext();
    appendFileSync(join(ctx.baseDir, 'out.txt'), 'before\n');
    let io = await sink(ctx);
    await io.write(makeBatch([{ value: 'x', ts: 0 }], Ack.none(), 'test'));
    await io.close();
    io = await sink(ctx);
    await io.write(makeBatch([{ value: 'x', ts: 0 }], Ack.none(), 'test'));
    await io.close();
    expect(output(ctx)).toEqual(['before', 'x', 'x']);
  });

  it('replicas share the file: batches of several streams in any order, replayed, are stored once each', async () => {
    const ctx = actorContext();
    const [one, two] = [await sink(ctx), await sink(ctx)] as [SinkIO, SinkIO];
    await Promise.all([one.write(batch('src/a', 20, [30, 40])), two.write(batch('src/b', 0, [5])), one.write(batch('src/a', 0, [10, 20]))]);
    // A stage's output of a batch (no per-record positions): skipped when its whole range is stored.
    await two.write(makeBatch([{ value: 'derived', ts: 0 }], Ack.none(), 'test', { stream: 'src/a', start: 0, end: 40 }));
    await one.close();
    const again = await sink(ctx);
    await Promise.all([two.write(batch('src/a', 0, [10, 20, 30, 40, 50])), again.write(batch('src/b', 0, [5, 6]))]);
    await Promise.all([two.close(), again.close()]);
    const lines = output(ctx);
    expect([...lines].sort()).toEqual(['l10', 'l20', 'l30', 'l40', 'l5', 'l50', 'l6']);
  });

  it('rewrites a long journal as one snapshot and still knows every range after a restart', async () => {
    const ctx = actorContext();
    let io = await sink(ctx, 'never');
    for (let i = 0; i < 5000; i++) await io.write(batch('src/a', i * 10, [i * 10 + 10]));
    await io.close();
    expect(readFileSync(join(ctx.stateDir, 'file-sink.jsonl'), 'utf8').split('\n').length).toBeLessThan(1000);
    io = await sink(ctx, 'never');
    await io.write(batch('src/a', 0, [49_990, 50_000, 50_010]));
    await io.close();
    const lines = output(ctx);
    expect(lines.length).toBe(5001);
    expect(lines.slice(-2)).toEqual(['l50000', 'l50010']);
  });

  it('the dead-letter sink stores a replayed batch of dead letters once', async () => {
    const ctx = actorContext();
    // Dead letters carry their batch's range, not per-record positions.
    const dead = (): Batch => makeBatch([{ value: 'l10', ts: 0 }, { value: 'l20', ts: 0 }], Ack.none(), 'test', { stream: 'src/a!parse', start: 0, end: 20 });
    for (let i = 0; i < 2; i++) {
      const io = await deadletterKind.create({ path: 'out.txt' }, ctx);
      await io.connect();
      await io.write(dead());
      await io.close();
    }
    expect(output(ctx)).toEqual(['l10', 'l20']);
  });
});
