import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { EndOfInput } from '../../../src/core/errors.js';
import { quietLog, run } from '../../runtime/harness.js';
import {
  capturingLog,
  asStored,
  counts,
  crashOnceStage,
  pipeline,
  poller,
  put,
  start,
  status,
  tempDir,
  type Stored,
} from './helpers.js';
import { collectSink } from '../../kit/collect-sink.js';
import { eventually } from '../../kit/eventually.js';

function doneRows(dataDir: string): { file: string; reason: string | null }[] {
  const db = new Database(join(dataDir, 'state', 'hdfs', 'files.db'), { readonly: true });
  try {
    return db.prepare('SELECT file, reason FROM done ORDER BY file').all() as {
      file: string;
      reason: string | null;
    }[];
  } finally {
    db.close();
  }
}

describe('hdfs source with local clusters', () => {
  it('picks up files appearing while it polls two clusters with three pollers each, each file exactly once', async () => {
    const a = tempDir('a');
    const b = tempDir('b');
    for (let i = 0; i < 10; i++) {
      put(a, `day1/a${i}.log`, `a${i}\n`);
      put(b, `b${i}.log`, `b${i}\n`);
    }
    const stored: Stored[] = [];
    const t = pipeline(
      {
        clusters: [
          { name: 'a', backend: { type: 'local', dir: a }, pollers: 3 },
          { name: 'b', backend: { type: 'local', dir: b }, pollers: 3 },
        ],
        watch: true,
        pollIntervalMs: 50,
      },
      collectSink(stored, { as: asStored }),
    );
    const runtime = await start(t, quietLog);
    try {
      expect(runtime.nodes.get('hdfs')?.spec.replicas).toBe(6);
      await eventually(() => stored.length >= 20, { what: 'the first 20 files', timeoutMs: 10_000 });
      for (let wave = 0; wave < 4; wave++) {
        for (let i = 0; i < 5; i++) {
          put(a, `day2/w${wave}/a${i}.log`, `a-w${wave}-${i}\n`);
          put(b, `w${wave}-b${i}.log`, `b-w${wave}-${i}\n`);
        }
        await new Promise((r) => setTimeout(r, 30));
      }
      await eventually(() => stored.length >= 60, { what: 'all 60 files', timeoutMs: 10_000 });
      // Several more listings: nothing may come twice.
      await new Promise((r) => setTimeout(r, 300));
      const seen = counts(stored.map((s) => s.file));
      expect(seen.size).toBe(60);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      const sample = stored.find((s) => s.file === 'a:day2/w3/a4.log');
      expect(sample?.bytes.toString()).toBe('a-w3-4\n');
      expect(sample?.headers).toMatchObject({
        file: 'a:day2/w3/a4.log',
        source: 'a',
        path: 'day2/w3/a4.log',
        size: '7',
      });
      expect(Number(sample?.headers.mtime)).toBeGreaterThan(0);
      const clusters = status(runtime).clusters as {
        name: string;
        done: number;
        pollers: number[];
      }[];
      expect(clusters.map((c) => [c.name, c.done, c.pollers])).toEqual([
        ['a', 30, [0, 1, 2]],
        ['b', 30, [3, 4, 5]],
      ]);
    } finally {
      await runtime.stop();
    }
  });

  it('skips files done in an earlier run and reads new and replaced ones', async () => {
    const dir = tempDir('restart');
    for (let i = 0; i < 8; i++) put(dir, `f${i}.log`, `line ${i}\n`);
    const stored: Stored[] = [];
    const t = pipeline(
      { clusters: [{ name: 'logs', backend: { type: 'local', dir }, pollers: 2 }] },
      collectSink(stored, { as: asStored }),
    );

    await run(t);
    expect(stored.map((s) => s.file).sort()).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `logs:f${i}.log`),
    );
    expect(doneRows(t.dataDir)).toHaveLength(8);

    stored.length = 0;
    put(dir, 'f8.log', 'new\n');
    put(dir, 'f3.log', 'replaced, longer\n');
    await run(t);
    expect(stored.map((s) => s.file).sort()).toEqual(['logs:f3.log', 'logs:f8.log']);
    expect(stored.find((s) => s.file === 'logs:f3.log')?.bytes.toString()).toBe(
      'replaced, longer\n',
    );
    expect(doneRows(t.dataDir)).toHaveLength(9);
  });

  it('redelivers a file whose stage crashed and records it done once', async () => {
    const dir = tempDir('crash');
    for (let i = 0; i < 6; i++) put(dir, `f${i}.log`, `line ${i}\n`);
    const stored: Stored[] = [];
    const crashed: string[] = [];
    const t = pipeline(
      { clusters: [{ name: 'logs', backend: { type: 'local', dir }, pollers: 2 }] },
      collectSink(stored, { as: asStored }),
      crashOnceStage((file) => file === 'logs:f2.log', crashed),
    );
    const { runtime } = await run(t);
    expect(crashed).toEqual(['logs:f2.log']);
    expect(counts(stored.map((s) => s.file))).toEqual(
      new Map([0, 1, 2, 3, 4, 5].map((i) => [`logs:f${i}.log`, 1])),
    );
    expect(doneRows(t.dataDir).map((r) => r.file)).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => `logs:f${i}.log`),
    );
    const clusters = status(runtime).clusters as { done: number; inFlight: number }[];
    expect(clusters[0]).toMatchObject({ done: 6, inFlight: 0 });
  });

  it('rejects a file over maxFileBytes without loading it, logs and dead-letters it once and reads the rest', async () => {
    const dir = tempDir('big');
    put(dir, 'small.log', 'x\n');
    put(dir, 'big.log', Buffer.alloc(4096, 0x61));
    const stored: Stored[] = [];
    const { log, lines } = capturingLog();
    const t = pipeline(
      { clusters: [{ name: 'logs', backend: { type: 'local', dir } }], maxFileBytes: 1024 },
      collectSink(stored, { as: asStored }),
    );
    const runtime = await start(t, log);
    expect(await runtime.finished).toEqual({ ok: true });
    expect(stored.map((s) => s.file)).toEqual(['logs:small.log']);
    const rejected = lines.filter(
      (l) => l.msg === 'file rejected: it will not be read unless it changes',
    );
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ file: 'logs:big.log', size: 4096 });
    expect(String(rejected[0]?.reason)).toContain('exceed maxFileBytes');
    expect(doneRows(t.dataDir)).toEqual([
      { file: 'logs:big.log', reason: '4096 bytes exceed maxFileBytes (1024)' },
      { file: 'logs:small.log', reason: null },
    ]);
    const dead = readFileSync(join(t.dataDir, 'deadletter.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; key: string; actor: string });
    expect(dead).toEqual([expect.objectContaining({ key: 'logs:big.log', reason: '4096 bytes exceed maxFileBytes (1024)' })]);

    const again = capturingLog();
    const second = await start(t, again.log);
    expect(await second.finished).toEqual({ ok: true });
    expect(
      again.lines.filter((l) => l.msg === 'file rejected: it will not be read unless it changes'),
    ).toHaveLength(0);
  });
});

describe('hdfs pollers outside a runtime', () => {
  it('hands a file held by a poller that closed before its commit to another poller, and again after a restart', async () => {
    const dir = tempDir('claims');
    put(dir, 'only.log', 'one\n');
    const state = tempDir('claims-state');
    const config = {
      clusters: [{ name: 'c', backend: { type: 'local' as const, dir }, pollers: 2 }],
    };
    const first = poller(config, state, 0);
    const second = poller(config, state, 1);
    await first.connect();
    await second.connect();
    const read = await first.read();
    expect(read.label).toBe('c:only.log');
    await first.close(); // what the runtime does after a crash: no commit came
    const again = await second.read();
    expect(again.label).toBe('c:only.log');
    await second.close();

    // A new process: the file was never committed, so it is read once more; then it is done.
    const third = poller(config, state, 0);
    await third.connect();
    const reread = await third.read();
    expect(reread.label).toBe('c:only.log');
    await third.commit(reread.position);
    await expect(third.read()).rejects.toBeInstanceOf(EndOfInput);
    await third.close();

    const fourth = poller(config, state, 1);
    await fourth.connect();
    await expect(fourth.read()).rejects.toBeInstanceOf(EndOfInput);
    await fourth.close();
  });

  it('commits every file up to the committed position when a commit skips earlier ones', async () => {
    const dir = tempDir('skip');
    for (const n of ['x', 'y', 'z']) put(dir, `${n}.log`, n);
    const state = tempDir('skip-state');
    const config = {
      clusters: [{ name: 'c', backend: { type: 'local' as const, dir }, pollers: 1 }],
    };
    const p = poller(config, state, 0);
    await p.connect();
    const reads = [await p.read(), await p.read(), await p.read()];
    await p.commit(reads[1]?.position); // the tracker's highest contiguous position: x and y are done, z is not
    await p.close();
    const next = poller(config, state, 0);
    await next.connect();
    expect((await next.read()).label).toBe(reads[2]?.label);
    await next.close();
  });

  it('leaves files younger than minAgeMs for later and takes older ones', async () => {
    const dir = tempDir('young');
    put(dir, 'old.log', 'old', 120_000);
    put(dir, 'fresh.log', 'fresh', 0);
    const state = tempDir('young-state');
    const p = poller(
      {
        clusters: [{ name: 'c', backend: { type: 'local', dir }, pollers: 1 }],
        minAgeMs: 60_000,
        pollIntervalMs: 50,
      },
      state,
      0,
    );
    await p.connect();
    expect((await p.read()).label).toBe('c:old.log');
    const next = p.read();
    const outcome = await Promise.race([
      next.then(() => 'read'),
      new Promise((r) => setTimeout(() => r('waiting'), 300)),
    ]);
    expect(outcome).toBe('waiting');
    await p.close();
    await next.catch(() => undefined);
  });
});
