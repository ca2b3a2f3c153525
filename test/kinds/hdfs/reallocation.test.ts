import { mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  capturingLog,
  closedPort,
  asStored,
  counts,
  pipeline,
  put,
  start,
  status,
  tempDir,
  type Stored,
} from './helpers.js';
import { collectSink } from '../../kit/collect-sink.js';
import { eventually } from '../../kit/eventually.js';

interface ClusterView {
  name: string;
  healthy: boolean;
  lastError: string | null;
  pollers: number[];
  done: number;
}

const clustersOf = (s: ReturnType<typeof status>): ClusterView[] =>
  s.clusters as unknown as ClusterView[];

describe('hdfs poller reallocation', () => {
  it('moves the pollers of an unreachable WebHDFS cluster to the healthy cluster of highest weight', async () => {
    const dir = tempDir('main');
    for (let i = 0; i < 30; i++) put(dir, `f${i}.log`, `line ${i}\n`);
    const stored: Stored[] = [];
    const { log, lines } = capturingLog();
    const port = await closedPort();
    const t = pipeline(
      {
        clusters: [
          {
            name: 'down',
            backend: { type: 'webhdfs', url: `http://127.0.0.1:${port}` },
            weight: 1,
            pollers: 2,
            connectAttempts: 2,
            probeIntervalMs: 100,
          },
          {
            name: 'spare',
            backend: { type: 'local', dir: tempDir('spare') },
            weight: 2,
            pollers: 1,
          },
          { name: 'main', backend: { type: 'local', dir }, weight: 5, pollers: 1 },
        ],
        watch: true,
        pollIntervalMs: 50,
      },
      collectSink(stored, { as: asStored }),
    );
    const runtime = await start(t, log);
    try {
      await eventually(
        () => (status(runtime).assignment as string[]).join() === 'main,main,spare,main',
        { what: 'pollers 0 and 1 serving main', timeoutMs: 5000 },
      );
      await eventually(() => stored.length === 30, { what: 'all files of main', timeoutMs: 5000 });
      expect([...counts(stored.map((s) => s.file)).values()].every((n) => n === 1)).toBe(true);
      const down = clustersOf(status(runtime)).find((c) => c.name === 'down');
      expect(down).toMatchObject({ healthy: false, pollers: [] });
      expect(down?.lastError).toContain('ECONNREFUSED');
      expect(status(runtime, 0)).toMatchObject({ home: 'down', serving: 'main' });
      const moves = lines.filter((l) => l.msg === 'hdfs pollers reallocated');
      expect(moves).toHaveLength(1);
      expect(moves[0]).toMatchObject({ from: 'down', to: 'main', pollers: [0, 1] });
      expect(String(moves[0]?.reason)).toMatch(/^down is unhealthy: .*ECONNREFUSED/);
    } finally {
      await runtime.stop();
    }
  });

  it('gives the pollers back once the failing cluster answers its probe again', async () => {
    const main = tempDir('main');
    const late = join(tempDir('late'), 'mount');
    put(main, 'm.log', 'm\n');
    const stored: Stored[] = [];
    const { log, lines } = capturingLog();
    const t = pipeline(
      {
        clusters: [
          {
            name: 'late',
            backend: { type: 'local', dir: late },
            weight: 1,
            pollers: 2,
            connectAttempts: 2,
            probeIntervalMs: 100,
          },
          { name: 'main', backend: { type: 'local', dir: main }, weight: 2, pollers: 1 },
        ],
        watch: true,
        pollIntervalMs: 50,
      },
      collectSink(stored, { as: asStored }),
    );
    const runtime = await start(t, log);
    try {
      await eventually(() => (status(runtime).assignment as string[]).join() === 'main,main,main', {
        what: 'late lending its pollers',
        timeoutMs: 5000,
      });
      mkdirSync(late, { recursive: true });
      for (let i = 0; i < 5; i++) put(late, `l${i}.log`, `l${i}\n`);
      await eventually(() => (status(runtime).assignment as string[]).join() === 'late,late,main', {
        what: 'late getting its pollers back',
        timeoutMs: 5000,
      });
      await eventually(() => stored.length === 6, {
        what: 'the files of both clusters',
        timeoutMs: 5000,
      });
      expect(clustersOf(status(runtime)).map((c) => [c.name, c.healthy, c.done])).toEqual([
        ['late', true, 5],
        ['main', true, 1],
      ]);
      const moves = lines
        .filter((l) => l.msg === 'hdfs pollers reallocated')
        .map((l) => [l.from, l.to, l.pollers, l.reason]);
      expect(moves[1]).toEqual(['main', 'late', [0, 1], 'late is reachable again']);
      expect(moves).toHaveLength(2);
    } finally {
      await runtime.stop();
    }
  });

  describe('with a cluster that accepts connections and never answers', () => {
    let hung: Server;
    const sockets: Socket[] = [];
    let port = 0;

    beforeAll(async () => {
      hung = createServer((s) => sockets.push(s));
      await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
      port = (hung.address() as { port: number }).port;
    });

    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => hung.close(r));
    });

    it('reads the other cluster at full speed while the hung one waits out its timeout', async () => {
      const dir = tempDir('fast');
      for (let i = 0; i < 20; i++) put(dir, `f${i}.log`, `line ${i}\n`);
      const stored: Stored[] = [];
      const t = pipeline(
        {
          clusters: [
            {
              name: 'hung',
              backend: { type: 'webhdfs', url: `http://127.0.0.1:${port}`, timeoutMs: 10_000 },
              pollers: 2,
            },
            { name: 'fast', backend: { type: 'local', dir }, pollers: 1 },
          ],
          watch: true,
          pollIntervalMs: 50,
        },
        collectSink(stored, { as: asStored }),
      );
      const { log } = capturingLog();
      const started = Date.now();
      const runtime = await start(t, log);
      try {
        await eventually(() => stored.length === 20, { what: 'the fast cluster', timeoutMs: 3000 });
        expect(Date.now() - started).toBeLessThan(3000);
        // Still inside its first timeout: no verdict on hung yet, its pollers still wait on it.
        expect(status(runtime)).toMatchObject({ assignment: ['hung', 'hung', 'fast'] });
        expect(sockets.length).toBeGreaterThan(0);
      } finally {
        await runtime.stop();
      }
    });
  });
});
