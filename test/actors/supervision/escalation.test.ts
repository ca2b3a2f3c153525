import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  RestartIntensityExceeded,
  Supervisor,
  type Strategy,
} from '../../../src/actors/supervision/index.js';
import { FakeChild, settle, testOptions } from './fake-child.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const fastBackoff = { minMs: 10, maxMs: 10, jitter: 0, resetAfterMs: 60_000 };

/** Crashes the current instance of `child` and lets the restart (if any) happen. */
async function crash(
  child: FakeChild,
  error: unknown = new Error(`${child.id} crashed`),
): Promise<void> {
  child.current.crash(error);
  await vi.advanceTimersByTimeAsync(10);
}

describe('restart intensity', () => {
  it('intensity exceeded: stops all children in reverse order and exits with error', async () => {
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((id) => new FakeChild(id, 'permanent', log));
    if (a === undefined || b === undefined || c === undefined) throw new Error('unreachable');
    const options = testOptions({
      intensity: { maxRestarts: 2, periodMs: 1_000 },
      backoff: fastBackoff,
    });
    const sup = new Supervisor('s', [a.spec, b.spec, c.spec], options);
    await sup.start();
    await crash(b);
    await crash(b);
    expect(sup.restarts('b')).toBe(2);
    log.length = 0;
    const last = new Error('third strike');
    await crash(b, last);
    expect(log).toEqual(['stop:c', 'stop:a']);
    expect(sup.restarts('b')).toBe(2); // the refused restart is not counted
    const exit = await sup.exited;
    expect(exit.reason).toBe('error');
    expect(exit.error).toBeInstanceOf(RestartIntensityExceeded);
    expect((exit.error as Error).cause).toBe(last);
    expect(options.events.at(-1)).toEqual({
      type: 'supervisor.escalated',
      supervisor: 's',
      error: exit.error,
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(b.starts).toBe(3);
    await sup.stop(); // harmless after the exit
    await expect(sup.exited).resolves.toBe(exit);
  });

  it('counts restarts in a sliding window: spread-out failures never escalate', async () => {
    const log: string[] = [];
    const a = new FakeChild('a', 'permanent', log);
    const sup = new Supervisor(
      's',
      [a.spec],
      testOptions({ intensity: { maxRestarts: 2, periodMs: 1_000 }, backoff: fastBackoff }),
    );
    await sup.start();
    for (let i = 0; i < 10; i++) {
      await crash(a);
      await vi.advanceTimersByTimeAsync(590); // failures 600 ms apart: at most 2 per 1000 ms
    }
    expect(sup.restarts('a')).toBe(10);
    expect(a.running).toBe(true);
    await sup.stop();
    await expect(sup.exited).resolves.toEqual({ reason: 'shutdown' });
  });

  it('maxRestarts 0 escalates on the first failure', async () => {
    const log: string[] = [];
    const a = new FakeChild('a', 'permanent', log);
    const sup = new Supervisor(
      's',
      [a.spec],
      testOptions({ intensity: { maxRestarts: 0, periodMs: 1_000 } }),
    );
    await sup.start();
    await crash(a);
    expect((await sup.exited).reason).toBe('error');
  });

  it('a one_for_all group restart counts once', async () => {
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((id) => new FakeChild(id, 'permanent', log));
    if (a === undefined || b === undefined || c === undefined) throw new Error('unreachable');
    const sup = new Supervisor(
      's',
      [a.spec, b.spec, c.spec],
      testOptions({
        strategy: 'one_for_all',
        intensity: { maxRestarts: 1, periodMs: 1_000 },
        backoff: fastBackoff,
      }),
    );
    await sup.start();
    await crash(a);
    expect(c.running).toBe(true);
    await crash(b);
    expect((await sup.exited).reason).toBe('error');
  });
});

describe('nested supervisors', () => {
  function nested(parentStrategy: Strategy = 'one_for_one') {
    const log: string[] = [];
    const worker = new FakeChild('worker', 'permanent', log);
    const sibling = new FakeChild('sibling', 'permanent', log);
    const innerOptions = testOptions({
      intensity: { maxRestarts: 1, periodMs: 10_000 },
      backoff: fastBackoff,
    });
    const inner = new Supervisor('inner', [worker.spec], innerOptions);
    const parentOptions = testOptions({
      strategy: parentStrategy,
      intensity: { maxRestarts: 1, periodMs: 10_000 },
      backoff: { minMs: 100, maxMs: 100, jitter: 0, resetAfterMs: 60_000 },
    });
    const parent = new Supervisor('parent', [inner.asChild(), sibling.spec], parentOptions);
    return { log, worker, sibling, inner, parent, innerOptions, parentOptions };
  }

  it('intensity exceeded escalates to the parent supervisor, which restarts the child supervisor', async () => {
    const { log, worker, inner, parent, innerOptions, parentOptions } = nested();
    await parent.start();
    expect(log).toEqual(['start:worker', 'start:sibling']);
    const firstExit = inner.exited;
    await crash(worker);
    await crash(worker); // second restart within the window: inner escalates
    const exit = await firstExit;
    expect(exit.reason).toBe('error');
    expect(innerOptions.events.some((e) => e.type === 'supervisor.escalated')).toBe(true);
    await settle();
    expect(parentOptions.events).toContainEqual({
      type: 'child.exited',
      supervisor: 'parent',
      child: 'inner',
      exit,
    });
    expect(worker.running).toBe(false);
    await vi.advanceTimersByTimeAsync(100); // parent's backoff
    expect(parent.restarts('inner')).toBe(1);
    expect(worker.starts).toBe(3);
    expect(worker.running).toBe(true);
    expect(inner.exited).not.toBe(firstExit);
    // The new incarnation has a fresh intensity window: one crash is fine again.
    await crash(worker);
    expect(worker.running).toBe(true);
    expect(parent.restarts('inner')).toBe(1);
    expect(inner.restarts('worker')).toBe(2); // counted across incarnations
    await parent.stop();
    expect(worker.running).toBe(false);
    await expect(inner.exited).resolves.toEqual({ reason: 'shutdown' });
  });

  it('escalation climbs: a parent whose child supervisor keeps failing escalates in turn', async () => {
    const { worker, parent } = nested();
    await parent.start();
    for (let i = 0; i < 3; i++) {
      await crash(worker);
      await crash(worker);
      await vi.advanceTimersByTimeAsync(100);
    }
    const exit = await parent.exited;
    expect(exit.reason).toBe('error');
    expect(exit.error).toBeInstanceOf(RestartIntensityExceeded);
    expect(((exit.error as Error).cause as RestartIntensityExceeded).supervisor).toBe('inner');
  });

  it('a parent one_for_all stops the child supervisor (and its children) and starts it again', async () => {
    const { log, sibling, parent, inner } = nested('one_for_all');
    await parent.start();
    log.length = 0;
    await crash(sibling);
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['stop:worker', 'start:worker', 'start:sibling']);
    await settle();
    expect(inner.restarts('worker')).toBe(0);
    expect(parent.restarts('inner')).toBe(1);
    await parent.stop();
    expect(log.slice(-2)).toEqual(['stop:sibling', 'stop:worker']);
  });
});
