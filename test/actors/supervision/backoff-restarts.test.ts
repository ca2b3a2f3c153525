import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Supervisor } from '../../../src/actors/supervision/index.js';
import { FakeChild, settle, testOptions } from './fake-child.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Crashes the child and returns how long (ms) until it is running again. */
async function crashAndMeasure(child: FakeChild): Promise<number> {
  const before = child.starts;
  child.current.crash();
  await settle();
  let waited = 0;
  while (child.starts === before) {
    await vi.advanceTimersByTimeAsync(1);
    waited += 1;
    if (waited > 100_000) throw new Error('never restarted');
  }
  return waited;
}

describe('Supervisor backoff', () => {
  it('waits min*2^n before the n-th consecutive restart, capped at max', async () => {
    const log: string[] = [];
    const a = new FakeChild('a', 'permanent', log);
    const options = testOptions({
      backoff: { minMs: 100, maxMs: 1_000, jitter: 0, resetAfterMs: 60_000 },
    });
    const sup = new Supervisor('s', [a.spec], options);
    await sup.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) delays.push(await crashAndMeasure(a));
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    const scheduled = options.events.flatMap((e) =>
      e.type === 'child.restart.scheduled' ? [e] : [],
    );
    expect(scheduled.map((e) => [e.delayMs, e.restarts])).toEqual([
      [100, 1],
      [200, 2],
      [400, 3],
      [800, 4],
      [1_000, 5],
      [1_000, 6],
    ]);
    const attempts = options.events.flatMap((e) => (e.type === 'child.started' ? [e.attempt] : []));
    expect(attempts).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await sup.stop();
  });

  it('applies jitter from the random option', async () => {
    const log: string[] = [];
    const a = new FakeChild('a', 'permanent', log);
    const sup = new Supervisor(
      's',
      [a.spec],
      testOptions({
        backoff: { minMs: 100, maxMs: 1_000, jitter: 0.2, resetAfterMs: 60_000 },
        random: () => 0.5,
      }),
    );
    await sup.start();
    expect(await crashAndMeasure(a)).toBe(110);
    await sup.stop();
  });

  it('backoff resets after a quiet period of resetAfterMs', async () => {
    const log: string[] = [];
    const a = new FakeChild('a', 'permanent', log);
    const backoff = { minMs: 100, maxMs: 10_000, jitter: 0, resetAfterMs: 5_000 };
    const sup = new Supervisor('s', [a.spec], testOptions({ backoff }));
    await sup.start();
    expect(await crashAndMeasure(a)).toBe(100);
    expect(await crashAndMeasure(a)).toBe(200);
    await vi.advanceTimersByTimeAsync(4_999); // not quite quiet long enough
    expect(await crashAndMeasure(a)).toBe(400);
    await vi.advanceTimersByTimeAsync(5_000); // quiet: ran resetAfterMs without failing
    expect(await crashAndMeasure(a)).toBe(100);
    expect(await crashAndMeasure(a)).toBe(200);
    await sup.stop();
  });

  it('keeps a separate backoff per child under one_for_one', async () => {
    const log: string[] = [];
    const a = new FakeChild('a', 'permanent', log);
    const b = new FakeChild('b', 'permanent', log);
    const sup = new Supervisor('s', [a.spec, b.spec], testOptions());
    await sup.start();
    expect(await crashAndMeasure(a)).toBe(100);
    expect(await crashAndMeasure(a)).toBe(200);
    expect(await crashAndMeasure(b)).toBe(100);
    await sup.stop();
  });
});
