import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { writeSample } from '../../src/sample/write-sample.js';
import { eventually } from '../kit/eventually.js';
import { millrace, topologyDir } from './process.js';

/** A copy of the repository's `topology` (topology.yaml or a variant) in a temp dir, with its own sample data. */
async function pipelineDir(topology: string): Promise<{ dir: string; file: string }> {
  const { dir, file } = topologyDir(readFileSync(new URL(`../../${topology}`, import.meta.url), 'utf8'));
  await writeSample({ dir: join(dir, 'data', 'sample'), files: 240, linesPerFile: 250, damageRate: 0.02, seed: 7 });
  return { dir, file };
}

function rowsIn(dir: string, dbFile: string): { count: number; perFile: Map<string, string> } {
  const path = join(dir, 'data', dbFile);
  if (!existsSync(path)) return { count: 0, perFile: new Map() };
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const exists = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'events'").get() as { n: number };
    if (exists.n === 0) return { count: 0, perFile: new Map() };
    const count = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    const per = db.prepare('SELECT file, count(*) AS n, sum(line) AS s FROM events GROUP BY file').all() as { file: string; n: number; s: number }[];
    return { count, perFile: new Map(per.map((r) => [r.file, `${r.n}/${r.s}`])) };
  } finally {
    db.close();
  }
}

/** The app/day summary the sink keeps beside the rows, and the same computed from the rows: counts per (app, day, event), then users per (app, day). */
function summaryAndScan(dir: string, dbFile: string): { summary: unknown[]; scan: unknown[] } {
  const db = new Database(join(dir, 'data', dbFile), { readonly: true, fileMustExist: true });
  try {
    const all = (sql: string): unknown[] => db.prepare(sql).all();
    return {
      summary: [
        ...all('SELECT app, day, event, n FROM events_counts ORDER BY app, day, event'),
        ...all('SELECT app, day, count(*) AS n FROM events_users GROUP BY app, day ORDER BY app, day'),
      ],
      scan: [
        ...all('SELECT app, day, event, count(*) AS n FROM events GROUP BY app, day, event ORDER BY app, day, event'),
        ...all('SELECT app, day, count(DISTINCT user) AS n FROM events WHERE user IS NOT NULL GROUP BY app, day ORDER BY app, day'),
      ],
    };
  } finally {
    db.close();
  }
}

describe('the log pipeline under a crash', () => {
  it.each([
    ['topology.yaml', 'millrace.db'],
    ['topology-parallel.yaml (a parallel segment in worker threads)', 'millrace-parallel.db'],
  ])('%s stores every line exactly once when the process is killed with SIGKILL mid-run and started again', async (name, db) => {
    const topology = name.split(' ')[0] as string;
    const rows = (dir: string): ReturnType<typeof rowsIn> => rowsIn(dir, db);
    const clean = await pipelineDir(topology);
    expect((await millrace(['run', clean.file]).exited).code).toBe(0);
    const expected = rows(clean.dir);
    expect(expected.count).toBeGreaterThan(30_000);

    const crashed = await pipelineDir(topology);
    const first = millrace(['run', crashed.file]);
    await eventually(() => rows(crashed.dir).count > 5_000, { what: 'rows to be stored', timeoutMs: 60_000 });
    first.proc.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const partial = rows(crashed.dir).count;
    expect(partial).toBeLessThan(expected.count);

    const second = await millrace(['run', crashed.file]).exited;
    expect(second.code).toBe(0);
    const after = rows(crashed.dir);
    // Same rows per file (count and sum of line numbers): nothing lost, nothing doubled.
    expect(after.count).toBe(expected.count);
    expect(after.perFile).toEqual(expected.perFile);
    // The report's summary, kept in the rows' transactions, matches the rows after the crash too.
    const { summary, scan } = summaryAndScan(crashed.dir, db);
    expect(summary.length).toBeGreaterThan(10);
    expect(summary).toEqual(scan);
  }, 240_000);
});
