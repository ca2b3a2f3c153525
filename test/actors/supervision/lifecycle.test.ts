import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  Supervisor,
  type ChildHandle,
  type ChildSpec,
} from '../../../src/actors/supervision/index.js';
import { FakeChild, settle, testOptions } from './fake-child.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A child whose start() and stop() each take `ms` of (fake) time. */
function slowChild(id: string, ms: number, log: string[]): ChildSpec {
  return {
    id,
    restart: 'permanent',
    start: async (): Promise<ChildHandle> => {
      log.push(`begin-start:${id}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`started:${id}`);
      let end: () => void = () => undefined;
      const exited = new Promise<{ reason: 'shutdown' }>(
        (r) => (end = () => r({ reason: 'shutdown' })),
      );
      return {
        exited,
        stop: async () => {
          log.push(`begin-stop:${id}`);
          await new Promise((r) => setTimeout(r, ms));
          log.push(`stopped:${id}`);
          end();
        },
      };
    },
  };
}

describe('Supervisor lifecycle', () => {
  it('children start in order and stop in reverse order, each awaited before the next', async () => {
    const log: string[] = [];
    const sup = new Supervisor(
      's',
      [slowChild('a', 30, log), slowChild('b', 10, log), slowChild('c', 20, log)],
      testOptions(),
    );
    const started = sup.start();
    await vi.advanceTimersByTimeAsync(100);
    await started;
    expect(log).toEqual([
      'begin-start:a',
      'started:a',
      'begin-start:b',
      'started:b',
      'begin-start:c',
      'started:c',
    ]);
    log.length = 0;
    const stopped = sup.stop();
    await vi.advanceTimersByTimeAsync(100);
    await stopped;
    expect(log).toEqual([
      'begin-stop:c',
      'stopped:c',
      'begin-stop:b',
      'stopped:b',
      'begin-stop:a',
      'stopped:a',
    ]);
    await expect(sup.exited).resolves.toEqual({ reason: 'shutdown' });
  });

  it('reports child.started with attempt 0, child.exited for stopped children and supervisor.stopped', async () => {
    const log: string[] = [];
    const options = testOptions();
    const a = new FakeChild('a', 'permanent', log);
    const sup = new Supervisor('s', [a.spec], options);
    await sup.start();
    await sup.stop();
    await settle();
    expect(options.events).toEqual([
      { type: 'child.started', supervisor: 's', child: 'a', attempt: 0 },
      { type: 'child.exited', supervisor: 's', child: 'a', exit: { reason: 'shutdown' } },
      { type: 'supervisor.stopped', supervisor: 's' },
    ]);
  });

  it('no restarts after stop(): a pending backoff restart is cancelled', async () => {
    const log: string[] = [];
    const a = new FakeChild('a', 'permanent', log);
    const sup = new Supervisor('s', [a.spec], testOptions());
    await sup.start();
    a.current.crash();
    await settle();
    await sup.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(a.starts).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    await expect(sup.exited).resolves.toEqual({ reason: 'shutdown' });
  });

  it('stop() during start() lets the child being started finish, then stops it and starts no more', async () => {
    const log: string[] = [];
    const sup = new Supervisor(
      's',
      [slowChild('a', 10, log), slowChild('b', 10, log)],
      testOptions(),
    );
    const started = sup.start();
    await vi.advanceTimersByTimeAsync(5); // a's start() is under way
    const stopped = sup.stop();
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all([started, stopped]);
    expect(log).toEqual(['begin-start:a', 'started:a', 'begin-stop:a', 'stopped:a']);
  });

  it('can be started again after it exited, with a fresh exited promise', async () => {
    const log: string[] = [];
    const a = new FakeChild('a', 'permanent', log);
    const sup = new Supervisor('s', [a.spec], testOptions());
    await sup.start();
    await sup.stop();
    const first = sup.exited;
    await sup.start();
    expect(sup.exited).not.toBe(first);
    expect(log).toEqual(['start:a', 'stop:a', 'start:a']);
    await sup.stop();
  });

  it('start() is idempotent while running', async () => {
    const log: string[] = [];
    const a = new FakeChild('a', 'permanent', log);
    const sup = new Supervisor('s', [a.spec], testOptions());
    await Promise.all([sup.start(), sup.start()]);
    await sup.start();
    expect(a.starts).toBe(1);
    await sup.stop();
  });

  it('rejects duplicate child ids and unknown ids in restarts()', () => {
    const log: string[] = [];
    const a = new FakeChild('a', 'permanent', log);
    expect(() => new Supervisor('s', [a.spec, a.spec], testOptions())).toThrow(
      /duplicate child id 'a'/,
    );
    expect(() => new Supervisor('s', [a.spec], testOptions()).restarts('nope')).toThrow(RangeError);
  });
});
