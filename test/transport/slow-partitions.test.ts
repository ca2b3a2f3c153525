import { describe, expect, it } from 'vitest';
import { PartitionRotation } from '../../src/transport/partition-rotation.js';
import { SlowPartitions, type SlowPartitionSettings } from '../../src/transport/slow-partitions.js';

const SETTINGS: SlowPartitionSettings = { latencyRatio: 5, minLatencyMs: 100, maxErrors: 3, errorWindowMs: 10_000, probeIntervalMs: 1000, keyedFollowRotation: false };
const IDS = [0, 1, 2, 3];

/** A tracker on a clock the test moves. */
function tracker(settings: Partial<SlowPartitionSettings> = {}, share = 0.5): { slow: SlowPartitions; clock: { now: number } } {
  const clock = { now: 1_000_000 };
  return { slow: new SlowPartitions({ ...SETTINGS, ...settings }, new PartitionRotation(share), () => clock.now), clock };
}

/** `n` answers of `latencyMs` from partition `p`. */
function answers(slow: SlowPartitions, p: number, latencyMs: number, n = 3): void {
  for (let i = 0; i < n; i++) slow.observe('logs', [p], latencyMs, true);
}

/** Partitions picked for `sends` consecutive sends of records without a key. */
function picks(slow: SlowPartitions, sends: number): number[] {
  return Array.from({ length: sends }, (_, i) => slow.unkeyed('logs', IDS, i));
}

describe('slow partitions', () => {
  it('takes a partition out of the rotation when it runs slower than ratio x the others and the floor, has it probed once per interval, and puts it back on a healthy answer', () => {
    const { slow, clock } = tracker();
    for (const p of [0, 1, 3]) answers(slow, p, 10);
    answers(slow, 2, 600);
    expect(slow.rotation.view(() => IDS)).toEqual({ logs: { excluded: { 2: 'slow' }, capped: {} } });
    expect(new Set(picks(slow, 12))).toEqual(new Set([0, 1, 3]));

    expect(slow.dueProbes('logs')).toEqual([]);
    clock.now += 1000;
    expect(slow.dueProbes('logs')).toEqual([2]);
    expect(slow.dueProbes('logs')).toEqual([]); // one probe per interval
    slow.observe('logs', [2], 700, true); // still slow: stays out
    expect(picks(slow, 12)).not.toContain(2);
    clock.now += 1000;
    expect(slow.dueProbes('logs')).toEqual([2]);
    slow.observe('logs', [2], 12, true);
    expect(slow.rotation.view(() => IDS)).toEqual({});
    expect(new Set(picks(slow, 12))).toEqual(new Set(IDS));
  });

  it('does not judge a partition by its first answers (the first request to a broker also opens the connection)', () => {
    const { slow } = tracker();
    for (const p of [0, 1, 3]) answers(slow, p, 10);
    answers(slow, 2, 900, 2);
    expect(slow.rotation.view(() => IDS)).toEqual({});
    answers(slow, 2, 900, 1);
    expect(slow.rotation.view(() => IDS)).toEqual({ logs: { excluded: { 2: 'slow' }, capped: {} } });
  });

  it('keeps a partition that is slower than ratio x the others but under the absolute floor', () => {
    const { slow } = tracker({ minLatencyMs: 100 });
    for (const p of [0, 1, 3]) answers(slow, p, 2);
    answers(slow, 2, 90);
    expect(slow.rotation.view(() => IDS)).toEqual({});
  });

  it('takes out a partition with maxErrors failed requests within the window, not one whose failures are spread wider', () => {
    const { slow, clock } = tracker();
    for (const p of IDS) slow.observe('logs', [p], 10, true);
    for (let i = 0; i < 3; i++) {
      slow.observe('logs', [1], 10, false);
      clock.now += 6000;
    }
    expect(slow.rotation.view(() => IDS)).toEqual({});
    for (let i = 0; i < 3; i++) slow.observe('logs', [3], 10, false); // refused at once: not slow, failing
    expect(slow.rotation.view(() => IDS)).toEqual({ logs: { excluded: { 3: 'failing' }, capped: {} } });
  });

  it('takes out no more than the cap: the rest stay in the rotation, marked capped', () => {
    const { slow } = tracker({}, 0.25);
    slow.observe('logs', [0], 10, true);
    for (const p of [1, 2, 3]) answers(slow, p, 5000);
    const view = slow.rotation.view(() => IDS)['logs']!;
    expect(Object.keys(view.excluded)).toHaveLength(1);
    expect(Object.keys(view.capped)).toHaveLength(2);
    expect(new Set(picks(slow, 12)).size).toBe(3);
  });

  it('moves keyed records off an excluded partition only with keyedFollowRotation', () => {
    for (const follow of [false, true]) {
      const { slow } = tracker({ keyedFollowRotation: follow });
      for (const p of [0, 1, 3]) answers(slow, p, 10);
      answers(slow, 2, 900);
      const targets = slow.keyedTargets('logs', 4);
      if (!follow) expect(targets).toBeUndefined();
      else expect([...targets!]).toEqual([0, 1, 3, 3]);
    }
  });
});
