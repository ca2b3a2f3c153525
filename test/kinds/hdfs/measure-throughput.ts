/**
 * Read throughput of the `hdfs` source: files/s and MB/s from a local directory and from the
 * real WebHDFS instance "a" of test/infra/hdfs, through a runtime into a blackhole sink,
 * without watch (the run ends when every file is done and committed). Upload time is not counted.
 *
 *   npx tsx test/kinds/hdfs/measure-throughput.ts
 */
import { randomBytes } from 'node:crypto';
import { blackholeKind } from '../../../src/kinds/blackhole.js';
import { hdfsConfig } from '../../../src/kinds/hdfs/config.js';
import { hdfsKind } from '../../../src/kinds/hdfs/source.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import { deletePath, ensureHdfs, mkdirs, putFile } from '../../infra/hdfs/cluster.js';
import { quietLog, topology } from '../../runtime/harness.js';
import { put, tempDir } from './helpers.js';

type Backend = { type: 'local'; dir: string } | { type: 'webhdfs'; url: string; root: string };

async function measure(
  label: string,
  backend: Backend,
  files: number,
  bytes: number,
  pollers: number,
): Promise<void> {
  const t = topology([
    { id: 'hdfs', role: 'source', kind: hdfsKind },
    { id: 'sink', role: 'sink', kind: blackholeKind, inputs: ['hdfs'] },
  ]);
  const config = hdfsConfig.parse({ clusters: [{ name: 'c', backend, pollers }] });
  const nodes = t.nodes.map((n) => (n.id === 'hdfs' ? { ...n, config, replicas: hdfsKind.replicasFor?.(config) ?? 1 } : n));
  const runtime = new Runtime({ ...t, nodes }, { log: quietLog });
  const started = performance.now();
  await runtime.start();
  const result = await runtime.finished;
  const seconds = (performance.now() - started) / 1000;
  if (!result.ok) throw new Error(`run failed: ${String(result.error)}`);
  const metrics = runtime.nodes.get('hdfs')?.metrics;
  if (metrics?.recordsOut !== files)
    throw new Error(`expected ${files} files, the source sent ${metrics?.recordsOut}`);
  const mb = (files * bytes) / 1e6;
  console.log(
    `${label.padEnd(8)} ${String(files).padStart(5)} files x ${String(bytes / 1024).padStart(5)} KiB, ${pollers} pollers: ` +
      `${(files / seconds).toFixed(0).padStart(6)} files/s ${(mb / seconds).toFixed(1).padStart(7)} MB/s (${seconds.toFixed(2)} s)`,
  );
}

const shapes = [
  { files: 2000, bytes: 16 * 1024 },
  { files: 200, bytes: 1024 * 1024 },
];

for (const { files, bytes } of shapes) {
  const dir = tempDir('bench');
  const body = randomBytes(bytes);
  for (let i = 0; i < files; i++) put(dir, `d${i % 20}/f${i}.gz`, body);
  for (const pollers of [1, 4])
    await measure('local', { type: 'local', dir }, files, bytes, pollers);
}

const hdfs = await ensureHdfs('a', 19870);
const root = `/millrace-bench/${process.pid}`;
try {
  for (const { files, bytes } of [
    { files: 500, bytes: 16 * 1024 },
    { files: 50, bytes: 1024 * 1024 },
  ]) {
    const dir = `${root}/${files}x${bytes}`;
    await mkdirs(hdfs.url, dir);
    const body = randomBytes(bytes);
    for (let i = 0; i < files; i += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, files - i) }, (_, k) =>
          putFile(hdfs.url, `${dir}/d${(i + k) % 20}/f${i + k}.gz`, body),
        ),
      );
    }
    for (const pollers of [1, 4])
      await measure(
        'webhdfs',
        { type: 'webhdfs', url: hdfs.url, root: dir },
        files,
        bytes,
        pollers,
      );
  }
} finally {
  await deletePath(hdfs.url, root).catch(() => false);
  await hdfs.stop();
}
