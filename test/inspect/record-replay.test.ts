import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Recording } from '../../src/inspect/recording.js';
import { ReplaySource } from '../../src/inspect/replay.js';
import { startInspectServer } from '../../src/inspect/server.js';
import type { ActorsResponse, InfoView, TopologyView } from '../../src/inspect/types.js';
import { observed, passStage, seqSource, storeSink, topology } from '../runtime/harness.js';
import { inspected } from './helpers.js';

describe('record and replay', () => {
  it('records a run with a crash as JSON lines and serves it back with the same API, plus the recording', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'millrace-rec-')), 'run.jsonl');
    const seen = observed();
    const t = topology([
      { id: 'src', role: 'source', kind: seqSource(600, 20, 2, seen) },
      { id: 'pass', role: 'stage', kind: passStage(new Set([1])), inputs: ['src'] },
      { id: 'store', role: 'sink', kind: storeSink(seen, new Set(), 40), inputs: ['pass'] },
    ]);
    const run = await inspected(t, { serve: false, recordTo: file });
    await run.runtime.start();
    expect((await run.runtime.finished).ok).toBe(true);
    await run.inspector.close();

    const server = await startInspectServer(await ReplaySource.load(file), { host: '127.0.0.1', port: 0 });
    try {
      const get = async <T>(path: string): Promise<T> => (await (await fetch(new URL(path, server.url))).json()) as T;
      expect(await get<InfoView>('api/info')).toMatchObject({ mode: 'replay', name: 'test' });
      expect((await get<TopologyView>('api/topology')).nodes.map((n) => n.id)).toEqual(['src', 'pass', 'store', 'deadletter']);
      const rec = await get<Recording>('api/recording');
      expect(rec.runs).toBe(1);
      expect(rec.health).toEqual({ status: 'finished' });
      expect(rec.transitions.find((x) => x.actor === 'pass' && x.to === 'failed')).toMatchObject({ from: 'running', event: 'CRASHED', error: 'planned crash on call 1' });
      expect(rec.transitions.filter((x) => x.actor === 'pass' && x.to === 'idle')).toHaveLength(2);
      expect(rec.metrics.length).toBeGreaterThanOrEqual(2);
      expect(rec.metrics.every((f, i) => i === 0 || f.ts >= (rec.metrics[i - 1]?.ts ?? 0))).toBe(true);
      expect(rec.metrics[0]?.actors[0]).not.toHaveProperty('history');
      const last = await get<ActorsResponse>('api/actors');
      expect(last.actors.find((a) => a.id === 'store')).toMatchObject({ state: 'stopped', records: { in: 600 } });
      expect(last.actors.find((a) => a.id === 'pass')).toMatchObject({ restarts: 1, errors: 1 });
      expect((await fetch(new URL('api/events', server.url))).status).toBe(404);
      expect((await fetch(new URL('metrics', server.url))).status).toBe(404);
      expect(await get('health')).toEqual({ status: 'replay' });
    } finally {
      await server.close();
    }
  });
});
