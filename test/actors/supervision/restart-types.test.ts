import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Supervisor, type ChildSpec } from '../../../src/actors/supervision/index.js';
import { FakeChild, testOptions } from './fake-child.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Supervisor restart types', () => {
  async function exitAndWait(
    restart: 'permanent' | 'transient' | 'temporary',
    how: 'crash' | 'normal',
  ) {
    const log: string[] = [];
    const child = new FakeChild('c', restart, log);
    const sup = new Supervisor('s', [child.spec], testOptions());
    await sup.start();
    if (how === 'crash') child.current.crash();
    else child.current.exitNormally();
    await vi.advanceTimersByTimeAsync(10_000);
    const result = { starts: child.starts, restarts: sup.restarts('c'), running: child.running };
    await sup.stop();
    return result;
  }

  it('permanent is restarted after a crash and after a normal exit', async () => {
    expect(await exitAndWait('permanent', 'crash')).toEqual({
      starts: 2,
      restarts: 1,
      running: true,
    });
    expect(await exitAndWait('permanent', 'normal')).toEqual({
      starts: 2,
      restarts: 1,
      running: true,
    });
  });

  it('transient is restarted after a crash', async () => {
    expect(await exitAndWait('transient', 'crash')).toEqual({
      starts: 2,
      restarts: 1,
      running: true,
    });
  });

  it('transient is not restarted after a normal exit', async () => {
    expect(await exitAndWait('transient', 'normal')).toEqual({
      starts: 1,
      restarts: 0,
      running: false,
    });
  });

  it('temporary is never restarted', async () => {
    expect(await exitAndWait('temporary', 'crash')).toEqual({
      starts: 1,
      restarts: 0,
      running: false,
    });
    expect(await exitAndWait('temporary', 'normal')).toEqual({
      starts: 1,
      restarts: 0,
      running: false,
    });
  });

  it('transient is not restarted when it reports shutdown on its own', async () => {
    const log: string[] = [];
    let end: (reason: 'shutdown') => void = () => undefined;
    const spec: ChildSpec = {
      id: 't',
      restart: 'transient',
      start: async () => {
        log.push('start:t');
        const exited = new Promise<{ reason: 'shutdown' }>(
          (r) => (end = (reason) => r({ reason })),
        );
        return { exited, stop: async () => undefined };
      },
    };
    const sup = new Supervisor('s', [spec], testOptions());
    await sup.start();
    end('shutdown');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(log).toEqual(['start:t']);
    await sup.stop();
  });
});

describe('Supervisor failure handling', () => {
  it('a child whose start() rejects counts as a crash and is restarted; later siblings still start', async () => {
    const log: string[] = [];
    const a = new FakeChild('a', 'permanent', log);
    const b = new FakeChild('b', 'permanent', log);
    a.failNextStarts = 2;
    const options = testOptions();
    const sup = new Supervisor('s', [a.spec, b.spec], options);
    await sup.start();
    await vi.advanceTimersByTimeAsync(100 + 200);
    expect(log).toEqual(['start-failed:a', 'start:b', 'start-failed:a', 'start:a']);
    expect(sup.restarts('a')).toBe(2);
    expect(options.events).toContainEqual({
      type: 'child.exited',
      supervisor: 's',
      child: 'a',
      exit: { reason: 'error', error: new Error('a failed to start') },
    });
    await sup.stop();
  });

  it('never leaks a rejection: throwing start(), rejecting exited and stop(), throwing onEvent', async () => {
    let starts = 0;
    const spec: ChildSpec = {
      id: 'bad',
      restart: 'permanent',
      start: () => {
        starts += 1;
        if (starts === 1) throw new Error('sync throw');
        return Promise.resolve({
          exited:
            starts === 2
              ? Promise.reject(new Error('exited rejected'))
              : new Promise(() => undefined),
          stop: () => Promise.reject(new Error('stop rejected')),
        });
      },
    };
    const sup = new Supervisor('s', [spec], {
      ...testOptions(),
      onEvent: () => {
        throw new Error('observer bug');
      },
    });
    await sup.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(starts).toBe(3);
    expect(sup.restarts('bad')).toBe(2);
    await sup.stop();
    await expect(sup.exited).resolves.toEqual({ reason: 'shutdown' });
  });
});
