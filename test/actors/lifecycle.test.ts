import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { InspectionEvent } from 'xstate';
import { NotConnected } from '../../src/core/errors.js';
import { defineSink } from '../../src/actors/kind.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { observed, passStage, quietLog, seqSource, storeSink, topology } from '../runtime/harness.js';

/** Records every lifecycle state each actor (id#replica) passes through, in order. */
function stateLog(): { inspect: (e: InspectionEvent) => void; states: Map<string, string[]> } {
  const states = new Map<string, string[]>();
  return {
    states,
    inspect(e) {
      if (e.type !== '@xstate.snapshot') return;
      const snap = e.snapshot as { value?: unknown; context?: { id?: string; replica?: number } };
      if (snap.context?.id === undefined || snap.value === undefined) return;
      const key = `${snap.context.id}#${snap.context.replica}`;
      const v = snap.value;
      const name = typeof v === 'string' ? v : (Object.values(v as Record<string, string>)[0] as string);
      const list = states.get(key) ?? [];
      if (list.at(-1) !== name) list.push(name);
      states.set(key, list);
    },
  };
}

async function runWith(t: ReturnType<typeof topology>, inspect: (e: InspectionEvent) => void): Promise<Runtime> {
  const runtime = new Runtime(t, { log: quietLog, inspect });
  await runtime.start();
  const result = await runtime.finished;
  if (!result.ok) throw new Error(String(result.error));
  return runtime;
}

describe('actor lifecycle', () => {
  it('backs off and reconnects while a sink is unreachable, then delivers everything', async () => {
    const seen = observed();
    let attempts = 0;
    const flaky = defineSink({
      name: 'flaky',
      description: 'unreachable for its first two connects',
      config: z.strictObject({}),
      create: () => ({
        async connect() {
          attempts += 1;
          if (attempts <= 2) throw new NotConnected('connection refused');
        },
        async write(batch) {
          seen.stored.set('out', [...(seen.stored.get('out') ?? []), ...batch.records.map((r) => r.value as string)]);
        },
        async close() {},
      }),
    });
    const log = stateLog();
    await runWith(
      topology([
        { id: 'src', role: 'source', kind: seqSource(50, 10, 1, seen) },
        { id: 'out', role: 'sink', kind: flaky, inputs: ['src'] },
      ]),
      log.inspect,
    );
    expect(log.states.get('out#0')).toEqual(['idle', 'connecting', 'backoff', 'connecting', 'backoff', 'connecting', 'running', 'draining', 'stopped']);
    expect(seen.stored.get('out')).toHaveLength(50);
  });

  it('reconnects after a write loses the connection and then writes every batch, none dead-lettered', async () => {
    const seen = observed();
    let writes = 0;
    const dropsOnce = defineSink({
      name: 'drops-once',
      description: 'its second write finds the connection gone',
      config: z.strictObject({}),
      create: () => ({
        async connect() {},
        async write(batch) {
          writes += 1;
          if (writes === 2) throw new NotConnected('connection reset by peer');
          seen.stored.set('out', [...(seen.stored.get('out') ?? []), ...batch.records.map((r) => r.value as string)]);
        },
        async close() {},
      }),
    });
    const log = stateLog();
    const { deadLettered } = await (async () => {
      const runtime = await runWith(
        topology([
          { id: 'src', role: 'source', kind: seqSource(50, 10, 1, seen) },
          { id: 'out', role: 'sink', kind: dropsOnce, inputs: ['src'], maxAttempts: 1 },
        ]),
        log.inspect,
      );
      return { deadLettered: runtime.deadLetters.counts.get('out') ?? 0 };
    })();
    expect(log.states.get('out#0')).toEqual(['idle', 'connecting', 'running', 'backoff', 'connecting', 'running', 'draining', 'stopped']);
    expect(seen.stored.get('out')).toEqual(Array.from({ length: 50 }, (_, i) => `s${i}`));
    expect(deadLettered).toBe(0);
  });

  it('shows paused while a slow sink holds back its producer, and running again after', async () => {
    const seen = observed();
    const log = stateLog();
    await runWith(
      topology([
        { id: 'src', role: 'source', kind: seqSource(40, 10, 1, seen) },
        { id: 'out', role: 'sink', kind: storeSink(seen, new Set(), 60), inputs: ['src'], maxRecords: 10 },
      ]),
      log.inspect,
    );
    const src = log.states.get('src#0') ?? [];
    expect(src).toContain('paused');
    expect(src.indexOf('running', src.indexOf('paused'))).toBeGreaterThan(src.indexOf('paused'));
  });

  it('fails an actor whose connect throws something other than NotConnected, and the supervisor restarts it', async () => {
    const seen = observed();
    let attempts = 0;
    const broken = defineSink({
      name: 'broken',
      description: 'bad config on its first start',
      config: z.strictObject({}),
      create: () => ({
        async connect() {
          attempts += 1;
          if (attempts === 1) throw new Error('permission denied');
        },
        async write() {},
        async close() {},
      }),
    });
    const log = stateLog();
    const runtime = await runWith(
      topology([
        { id: 'src', role: 'source', kind: seqSource(10, 10, 1, seen) },
        { id: 'out', role: 'sink', kind: broken, inputs: ['src'] },
      ]),
      log.inspect,
    );
    expect(log.states.get('out#0')?.slice(0, 3)).toEqual(['idle', 'connecting', 'failed']);
    expect(runtime.nodes.get('out')?.supervisor.restarts('out#0')).toBe(1);
    expect(runtime.nodes.get('out')?.metrics.lastError).toBe("broken actor 'out' (replica 0): permission denied");
  });

  it('restarts every replica of a one_for_all stage set when one crashes', async () => {
    const seen = observed();
    const runtime = await runWith(
      topology([
        { id: 'src', role: 'source', kind: seqSource(60, 10, 1, seen) },
        { id: 'work', role: 'stage', kind: passStage(new Set([2])), inputs: ['src'], replicas: 3, strategy: 'one_for_all' },
        { id: 'out', role: 'sink', kind: storeSink(seen), inputs: ['work'] },
      ]),
      () => undefined,
    );
    const sup = runtime.nodes.get('work')?.supervisor;
    expect([0, 1, 2].map((i) => sup?.restarts(`work#${i}`))).toEqual([1, 1, 1]);
    expect(new Set(seen.stored.get('out')).size).toBe(60);
  });
});
