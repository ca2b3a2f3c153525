import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { lifecycleMachine } from '../../src/actors/lifecycle.js';
import { Outputs } from '../../src/actors/pump/outputs.js';
import { RateWindow } from '../../src/inspect/rates.js';
import { parseRecording } from '../../src/inspect/recording.js';
import { Ring } from '../../src/inspect/ring.js';
import { TapHub, type TappedRecord } from '../../src/inspect/tap.js';
import { TransitionFeed } from '../../src/inspect/transitions.js';
import type { Transition } from '../../src/inspect/types.js';

describe('transition feed', () => {
  it('turns XState snapshots of a lifecycle actor into transitions of its id and replica, one per state change', () => {
    const feed = new TransitionFeed();
    const got: Transition[] = [];
    feed.subscribe((t) => got.push(t));
    const actor = createActor(lifecycleMachine, { input: { id: 'parse', kind: 'map', role: 'stage', replica: 3, backoff: { minMs: 1, maxMs: 1, jitter: 0 } }, inspect: feed.inspect });
    actor.start();
    actor.send({ type: 'START' });
    actor.send({ type: 'START' });
    expect(got.map((t) => [t.actor, t.replica, t.from, t.to, t.event])).toEqual([
      ['parse', 3, null, 'idle', 'init'],
      ['parse', 3, 'idle', 'connecting', 'START'],
    ]);
    actor.stop();
  });

  it('adds the error to transitions into failed', async () => {
    const feed = new TransitionFeed();
    const machine = lifecycleMachine.provide({ actors: { connect: (await import('xstate')).fromPromise(async () => Promise.reject(new Error('no route to host'))) } });
    const actor = createActor(machine, { input: { id: 'db', kind: 'database', role: 'sink', replica: 0, backoff: { minMs: 1, maxMs: 1, jitter: 0 } }, inspect: feed.inspect });
    actor.start();
    actor.send({ type: 'START' });
    await new Promise((r) => setTimeout(r, 10));
    expect(feed.recentOf('db').at(-1)).toMatchObject({ from: 'connecting', to: 'failed', event: 'connecting.error', error: 'no route to host' });
  });

  it('sums the time each replica spent paused, including a pause still going on', () => {
    const feed = new TransitionFeed();
    const t = (from: string | null, to: string, ts: number): Transition => ({ actor: 'a', replica: 0, from, to, event: 'x', ts });
    feed.record(t(null, 'running', 0));
    feed.record(t('running', 'paused', 100));
    feed.record(t('paused', 'running', 250));
    feed.record(t('running', 'paused', 400));
    expect(feed.pausedMs('a', 0, 450)).toBe(200);
    expect(feed.since('a', 0)).toBe(400);
    expect(feed.pausedMs('b', 0, 450)).toBe(0);
  });
});

describe('sliding-window rates', () => {
  it('computes per-second rates from the oldest sample inside the window', () => {
    const rates = new RateWindow(10_000);
    const c = (recordsOut: number) => new Map([['gen', { recordsIn: 0, recordsOut, bytesIn: 0, bytesOut: recordsOut * 100 }]]);
    for (let s = 0; s <= 20; s++) rates.sample(c(s * 1000), s * 1000);
    const r = rates.rates('gen', { recordsIn: 0, recordsOut: 20_500, bytesIn: 0, bytesOut: 2_050_000 }, 20_500);
    expect(r.windowMs).toBe(9500);
    expect(r.recordsOut).toBe(1000);
    expect(r.bytesOut).toBe(100_000);
    expect(rates.history('gen').recordsOut.slice(-3)).toEqual([1000, 1000, 1000]);
  });

  it('reports zero before any interval has passed', () => {
    const rates = new RateWindow();
    expect(rates.rates('x', { recordsIn: 5, recordsOut: 5, bytesIn: 5, bytesOut: 5 }, 0)).toEqual({ windowMs: 0, recordsIn: 0, recordsOut: 0, bytesIn: 0, bytesOut: 0 });
  });

  it('keeps the last items of a ring, oldest first', () => {
    const ring = new Ring<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.last()).toBe(5);
    expect(new Ring<number>(2).last()).toBeUndefined();
  });
});

describe('tap', () => {
  it('samples records leaving an actor at most `perSecond` a second, and unhooks when the last client leaves', async () => {
    const outputs = new Outputs([]);
    const hub = new TapHub(() => outputs);
    const got: TappedRecord[] = [];
    const stop = hub.open('gen', 4, (records) => got.push(...records));
    expect(outputs.tap).toBeDefined();
    const records = Array.from({ length: 10 }, (_, i) => ({ value: `r${i}`, key: `k${i}`, ts: i }));
    outputs.tap?.(records);
    outputs.tap?.(records);
    expect(got.map((r) => r.value)).toEqual(['r0', 'r2', 'r5', 'r7']);
    expect(got[0]).toEqual({ actor: 'gen', ts: 0, key: 'k0', value: 'r0', encoding: 'utf8' });
    stop();
    expect(outputs.tap).toBeUndefined();
    expect(hub.listeners('gen')).toBe(0);
  });

  it('shows bytes as text when they are UTF-8 and as base64 otherwise', () => {
    const outputs = new Outputs([]);
    const got: TappedRecord[] = [];
    new TapHub(() => outputs).open('gen', 10, (records) => got.push(...records));
    outputs.tap?.([{ value: Buffer.from('héllo'), ts: 0 }, { value: Uint8Array.from([0xff, 0xfe]), ts: 0 }, { value: { level: 'warn' }, ts: 0 }]);
    expect(got.map((r) => [r.value, r.encoding])).toEqual([['héllo', 'utf8'], ['//4=', 'base64'], [{ level: 'warn' }, 'json']]);
  });

});

describe('recording file', () => {
  const start = JSON.stringify({ type: 'start', ts: 10, topology: { name: 'a', file: 'a.yaml', nodes: [], edges: [], layout: { direction: 'LR', width: 0, height: 0, nodes: {}, edges: [] } } });
  const transition = (ts: number) => JSON.stringify({ type: 'transition', actor: 'x', replica: 0, from: null, to: 'idle', event: 'init', ts });

  it('reads the last run of a file that several runs appended to', () => {
    const text = [start, transition(11), JSON.stringify({ type: 'end', ts: 12, health: { status: 'finished' } }), start.replace('"name":"a"', '"name":"b"'), transition(20), ''].join('\n');
    const rec = parseRecording(text);
    expect(rec.runs).toBe(2);
    expect(rec.topology.name).toBe('b');
    expect(rec.transitions).toEqual([{ actor: 'x', replica: 0, from: null, to: 'idle', event: 'init', ts: 20 }]);
    expect(rec.endedAt).toBe(20);
  });

  it('skips a torn last line but rejects a bad line in the middle', () => {
    expect(parseRecording(`${start}\n${transition(11)}\n{"type":"tran`).transitions).toHaveLength(1);
    expect(() => parseRecording(`${start}\n{oops\n${transition(11)}\n`)).toThrow(/line 2 is not JSON/);
    expect(() => parseRecording(transition(1))).toThrow(/before any "start"/);
  });
});
