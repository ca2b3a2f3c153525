// The hive sink on the WebHDFS backend against a real HDFS (test/infra/hdfs instance "a", or
// MILLRACE_HDFS_URL): files, partition commit and compaction, read back through WebHDFS and
// hyparquet; an in-progress file left by a crash is removed at the next start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hiveSinkKind } from '../../../src/kinds/hive/sink.js';
import { deletePath, ensureHdfs, putFile, readFile, type HdfsHandle } from '../../infra/hdfs/cluster.js';
import { actorContext } from '../../kit/actor-context.js';
import { eventually } from '../../kit/eventually.js';
import { event, eventColumns, readParquetRows, streamBatch } from './helpers.js';

const root = `/millrace-hive/${process.pid}-${Date.now()}`;
const T0 = Date.UTC(2026, 11, 6, 3, 0, 0);
const HOUR = 3_600_000;

/** Every file below `dir` (an HDFS path), through LISTSTATUS. */
async function listHdfs(url: string, dir: string): Promise<string[]> {
  const res = await fetch(`${url}/webhdfs/v1${dir}?op=LISTSTATUS`);
  if (res.status === 404) return [];
  const body = (await res.json()) as { FileStatuses: { FileStatus: { pathSuffix: string; type: string }[] } };
  const out: string[] = [];
  for (const s of body.FileStatuses.FileStatus) {
    const path = `${dir}/${s.pathSuffix}`;
    if (s.type === 'DIRECTORY') out.push(...(await listHdfs(url, path)));
    else out.push(path);
  }
  return out.sort();
}

describe('hive sink on WebHDFS (real HDFS)', () => {
  let hdfs: HdfsHandle;

  beforeAll(async () => {
    hdfs = await ensureHdfs();
  }, 240_000);

  afterAll(async () => {
    await deletePath(hdfs.url, root).catch(() => false);
    await hdfs.stop();
  }, 120_000);

  it('writes partitions of Parquet files, commits and compacts them, and removes what a crash left in progress', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hive-hdfs-'));
    const table = `${root}/events`;
    const orphan = `${table}/dt=2026-12-06/hour=03/.part-1-crashed.parquet.inprogress`;
    await putFile(hdfs.url, orphan, 'half a file');
    const config = hiveSinkKind.config.parse({
      backend: { type: 'webhdfs', url: hdfs.url, root },
      table: 'events',
      columns: eventColumns,
      timeField: 'ts',
      commit: { quietMs: 0 },
      partition: { idleMs: 500 },
    });
    const io = await hiveSinkKind.create(config as never, actorContext({ dir, id: 'hive' }));
    await io.connect();
    expect(await listHdfs(hdfs.url, table), 'the in-progress file of a crashed commit is gone').toEqual([]);
    const records = Array.from({ length: 60 }, (_, i) => event(i, T0 + (i % 2) * HOUR + i));
    for (let i = 0; i < 60; i += 20) await io.write(streamBatch(records.slice(i, i + 20), 'src/t/0', i));
    const parts = ['dt=2026-12-06/hour=03', 'dt=2026-12-06/hour=04'];
    await eventually(
      async () => {
        const files = await listHdfs(hdfs.url, table);
        return parts.every((p) => files.includes(`${table}/${p}/_SUCCESS`) && files.filter((f) => f.startsWith(`${table}/${p}/part-`)).length === 1);
      },
      { what: 'both partitions committed and compacted to one file each', timeoutMs: 30_000, intervalMs: 200 },
    );
    await io.close();
    const files = await listHdfs(hdfs.url, table);
    expect(files.filter((f) => f.includes('.inprogress'))).toEqual([]);
    const seqs: number[] = [];
    for (const f of files.filter((x) => x.endsWith('.parquet'))) {
      const rows = await readParquetRows(await readFile(hdfs.url, f));
      for (const row of rows) {
        seqs.push(Number(row.seq));
        expect(f, `row ${String(row.seq)} in its partition`).toContain(Number(row.seq) % 2 === 0 ? 'hour=03' : 'hour=04');
      }
    }
    expect(seqs.sort((a, b) => a - b)).toEqual(records.map((_, i) => i));
  }, 60_000);
});
