import { describe, expect, it } from 'vitest';
import { observed, passStage, seqSource, storeSink, topology } from '../runtime/harness.js';
import type { Transition } from '../../src/inspect/types.js';
import { eventually } from '../kit/eventually.js';
import { collectEvents, inspected } from './helpers.js';

describe('live transition stream', () => {
  it('delivers the transitions of a stage that crashes and is restarted, as compact events', async () => {
    const seen = observed();
    const t = topology([
      { id: 'src', role: 'source', kind: seqSource(400, 20, 2, seen) },
      { id: 'pass', role: 'stage', kind: passStage(new Set([2])), inputs: ['src'] },
      { id: 'store', role: 'sink', kind: storeSink(seen), inputs: ['pass'] },
    ]);
    const run = await inspected(t);
    try {
      const stream = collectEvents(run.url, 'api/events', (events) => events.some((e) => (e.data as Transition).actor === 'store' && (e.data as Transition).to === 'stopped'));
      // The stream is open once the server has seen the request; start only then, to see everything.
      await new Promise((r) => setTimeout(r, 200));
      await run.runtime.start();
      const transitions = (await stream).filter((e) => e.event === 'transition').map((e) => e.data as Transition);
      const pass = transitions.filter((x) => x.actor === 'pass').map((x) => `${x.from ?? '∅'}→${x.to}:${x.event}`);
      expect(pass.slice(0, 4)).toEqual(['∅→idle:init', 'idle→connecting:START', 'connecting→running:connecting.done', 'running→failed:CRASHED']);
      const restart = pass.indexOf('running→failed:CRASHED') + 1;
      expect(pass.slice(restart, restart + 3)).toEqual(['∅→idle:init', 'idle→connecting:START', 'connecting→running:connecting.done']);
      expect(pass[pass.length - 1]).toBe('draining→stopped:draining.done');
      const failed = transitions.find((x) => x.actor === 'pass' && x.to === 'failed');
      expect(failed).toEqual({ actor: 'pass', replica: 0, from: 'running', to: 'failed', event: 'CRASHED', ts: expect.any(Number), error: 'planned crash on call 2' });
      expect(seen.stored.get('store')).toHaveLength(400);
    } finally {
      await run.stop();
    }
  });

  it('reports a failed run on /health with 503 once restart intensity is exceeded', async () => {
    const seen = observed();
    const t = topology([
      { id: 'src', role: 'source', kind: seqSource(1000, 10, 1, seen) },
      { id: 'pass', role: 'stage', kind: passStage(new Set(Array.from({ length: 100 }, (_, i) => i))), inputs: ['src'], maxAttempts: 1000 },
      { id: 'store', role: 'sink', kind: storeSink(seen), inputs: ['pass'] },
    ]);
    const pass = t.nodes.find((n) => n.id === 'pass');
    if (pass === undefined) throw new Error('no pass node');
    pass.supervision = { ...pass.supervision, intensity: { maxRestarts: 2, periodMs: 60_000 } };
    const run = await inspected(t);
    try {
      await run.runtime.start();
      const health = await eventually(async () => {
        const res = await fetch(new URL('health', run.url));
        return res.status === 503 ? ((await res.json()) as { status: string; error: string }) : undefined;
      }, { what: 'the health check to fail', timeoutMs: 25_000 });
      expect(health.status).toBe('failed');
      expect(health.error).toContain("last failed child: 'pass'");
      const metrics = await (await fetch(new URL('metrics', run.url))).text();
      expect(metrics).toContain('millrace_up 0');
      // The root restarts the node's supervisor 3 times, each of which restarts the replica twice.
      expect(metrics).toContain('millrace_restarts_total{actor="pass"} 8');
    } finally {
      await run.inspector.close();
    }
  });
});
