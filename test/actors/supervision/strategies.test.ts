import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  Supervisor,
  type RestartType,
  type Strategy,
} from '../../../src/actors/supervision/index.js';
import { FakeChild, settle, testOptions } from './fake-child.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function setup(strategy: Strategy, ids: string[], restart: RestartType[] = []) {
  const log: string[] = [];
  const children = ids.map((id, i) => new FakeChild(id, restart[i] ?? 'permanent', log));
  const options = testOptions({ strategy });
  const sup = new Supervisor(
    's',
    children.map((c) => c.spec),
    options,
  );
  await sup.start();
  log.length = 0;
  const child = (id: string): FakeChild => {
    const found = children.find((c) => c.id === id);
    if (found === undefined) throw new Error(id);
    return found;
  };
  return { log, sup, child, options };
}

describe('one_for_one', () => {
  it('restarts only the failed child', async () => {
    const { log, sup, child } = await setup('one_for_one', ['a', 'b', 'c']);
    child('b').current.crash();
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['start:b']);
    expect(['a', 'b', 'c'].map((id) => sup.restarts(id))).toEqual([0, 1, 0]);
    await sup.stop();
  });
});

describe('one_for_all', () => {
  it('one_for_all restarts every sibling: stops the others in reverse order, then starts all in order', async () => {
    const { log, sup, child, options } = await setup('one_for_all', ['a', 'b', 'c', 'd']);
    options.events.length = 0;
    child('b').current.crash();
    await settle();
    expect(log).toEqual(['stop:d', 'stop:c', 'stop:a']);
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['stop:d', 'stop:c', 'stop:a', 'start:a', 'start:b', 'start:c', 'start:d']);
    expect(['a', 'b', 'c', 'd'].map((id) => sup.restarts(id))).toEqual([1, 1, 1, 1]);
    expect(['a', 'b', 'c', 'd'].every((id) => child(id).running)).toBe(true);
    const scheduled = options.events.filter((e) => e.type === 'child.restart.scheduled');
    expect(scheduled.map((e) => e.child)).toEqual(['a', 'b', 'c', 'd']);
    await sup.stop();
  });

  it('stops and drops temporary siblings, and restarts a transient one that had exited normally (as OTP)', async () => {
    const { log, sup, child } = await setup(
      'one_for_all',
      ['a', 'tmp', 'tr'],
      ['permanent', 'temporary', 'transient'],
    );
    child('tr').current.exitNormally();
    await settle();
    expect(log).toEqual([]);
    child('a').current.crash();
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['stop:tmp', 'start:a', 'start:tr']);
    expect(child('tmp').starts).toBe(1);
    await sup.stop();
  });

  it('a child that is not restarted leaves its siblings alone', async () => {
    const { log, sup, child } = await setup('one_for_all', ['a', 'b'], ['temporary', 'permanent']);
    child('a').current.crash();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual([]);
    expect(child('b').running).toBe(true);
    await sup.stop();
  });

  it('a failed start during start() stops the started ones and restarts all', async () => {
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((id) => new FakeChild(id, 'permanent', log));
    if (a === undefined || b === undefined || c === undefined) throw new Error('unreachable');
    b.failNextStarts = 1;
    const sup = new Supervisor(
      's',
      [a.spec, b.spec, c.spec],
      testOptions({ strategy: 'one_for_all' }),
    );
    await sup.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['start:a', 'start-failed:b', 'stop:a', 'start:a', 'start:b', 'start:c']);
    await sup.stop();
  });
});

describe('rest_for_one', () => {
  it('rest_for_one restarts the failed child and the ones started after it, not the ones before', async () => {
    const { log, sup, child } = await setup('rest_for_one', ['a', 'b', 'c', 'd']);
    child('b').current.crash();
    await settle();
    expect(log).toEqual(['stop:d', 'stop:c']);
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['stop:d', 'stop:c', 'start:b', 'start:c', 'start:d']);
    expect(['a', 'b', 'c', 'd'].map((id) => sup.restarts(id))).toEqual([0, 1, 1, 1]);
    expect(child('a').starts).toBe(1);
    expect(child('a').running).toBe(true);
    await sup.stop();
  });

  it('a failure of an earlier child absorbs the pending restart of a later one', async () => {
    const { log, sup, child } = await setup('rest_for_one', ['a', 'b', 'c']);
    child('c').current.crash();
    await vi.advanceTimersByTimeAsync(50); // c's restart is pending
    child('a').current.crash();
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['stop:b', 'start:a', 'start:b', 'start:c']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(child('c').starts).toBe(2);
    await sup.stop();
  });

  it('a failed start during start() starts the rest with the restart', async () => {
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((id) => new FakeChild(id, 'permanent', log));
    if (a === undefined || b === undefined || c === undefined) throw new Error('unreachable');
    b.failNextStarts = 1;
    const sup = new Supervisor(
      's',
      [a.spec, b.spec, c.spec],
      testOptions({ strategy: 'rest_for_one' }),
    );
    await sup.start();
    expect(log).toEqual(['start:a', 'start-failed:b']);
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['start:a', 'start-failed:b', 'start:b', 'start:c']);
    expect(sup.restarts('c')).toBe(1);
    await sup.stop();
  });
});

describe('group restarts absorb exits of members being stopped', () => {
  it('one_for_all: two children crashing at once cause a single group restart (as OTP)', async () => {
    const { log, sup, child } = await setup('one_for_all', ['a', 'b', 'c']);
    child('b').current.crash();
    child('c').current.crash();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['stop:a', 'start:a', 'start:b', 'start:c']);
    expect(['a', 'b', 'c'].map((id) => sup.restarts(id))).toEqual([1, 1, 1]);
    await sup.stop();
  });

  it('one_for_one: two children crashing at once are both restarted', async () => {
    const { log, sup, child } = await setup('one_for_one', ['a', 'b']);
    child('a').current.crash();
    child('b').current.crash();
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['start:a', 'start:b']);
    await sup.stop();
  });
});
