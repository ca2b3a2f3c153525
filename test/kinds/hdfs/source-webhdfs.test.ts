import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHdfsStore } from '../../../src/stores/webhdfs-store.js';
import {
  deletePath,
  ensureHdfs,
  mkdirs,
  openLocation,
  putFile,
  startHdfs,
  stopHdfs,
  type HdfsHandle,
} from '../../infra/hdfs/cluster.js';
import {
  capturingLog,
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

// Needs the real single-node HDFS instances of test/infra/hdfs: "a" (19870) and "b" (29870).
const A = { name: 'a', port: 19870 };
const B = { name: 'b', port: 29870 };
const external = Boolean(process.env.MILLRACE_HDFS_URL);
const root = `/millrace-hdfs-source/${process.pid}-${Date.now()}`;

interface ClusterView {
  name: string;
  healthy: boolean;
  pollers: number[];
  done: number;
}

const assignment = (s: ReturnType<typeof status>): string => (s.assignment as string[]).join();
const moveLog = (lines: { [key: string]: unknown }[]) =>
  lines.filter((l) => l.msg === 'hdfs pollers reallocated').map((l) => [l.from, l.to, l.pollers]);

describe.skipIf(external)(
  'hdfs source against real HDFS (test/infra/hdfs instances a and b)',
  () => {
    let a: HdfsHandle;
    let b: HdfsHandle;

    beforeAll(async () => {
      [a, b] = await Promise.all([ensureHdfs(A.name, A.port), ensureHdfs(B.name, B.port)]);
    }, 240_000);

    afterAll(async () => {
      await Promise.all([
        deletePath(a.url, root).catch(() => false),
        deletePath(b.url, root).catch(() => false),
      ]);
      await Promise.all([a.stop(), b.stop()]);
    }, 120_000);

    it("reads files uploaded while it polls exactly once, through OPEN's DataNode redirect", async () => {
      const dir = `${root}/upload`;
      await mkdirs(a.url, dir);
      const sent = new Map<string, Buffer>();
      const upload = async (rel: string, size: number): Promise<void> => {
        const bytes = randomBytes(size);
        sent.set(`a:${rel}`, bytes);
        await putFile(a.url, `${dir}/${rel}`, bytes);
      };
      // Larger than one 64 KiB packet, so the DataNode streams it in several chunks.
      await upload('first.gz', 200_000);
      for (let i = 0; i < 4; i++) await upload(`early-${i}.log`, 1000 + i);
      const location = new URL(await openLocation(a.url, `${dir}/first.gz`));
      expect(location.port).toBe(String(A.port + 3));

      const stored: Stored[] = [];
      const t = pipeline(
        {
          clusters: [
            { name: 'a', backend: { type: 'webhdfs', url: a.url, root: dir }, pollers: 3 },
          ],
          watch: true,
          pollIntervalMs: 200,
          minAgeMs: 1000,
        },
        collectSink(stored, { as: asStored }),
      );
      const runtime = await start(t, capturingLog().log);
      try {
        await eventually(() => stored.length === 5, {
          what: 'the files uploaded before the start',
          timeoutMs: 15_000,
        });
        for (let i = 0; i < 10; i++) await upload(`day/${i % 2}/late-${i}.log`, 5000 + i);
        await eventually(() => stored.length >= 15, {
          what: 'the files uploaded while polling',
          timeoutMs: 20_000,
        });
        await new Promise((r) => setTimeout(r, 1200));
        expect(counts(stored.map((s) => s.file))).toEqual(
          new Map([...sent.keys()].map((k) => [k, 1])),
        );
        for (const s of stored) expect(s.bytes.equals(sent.get(s.file) as Buffer)).toBe(true);
        expect(stored.find((s) => s.file === 'a:day/1/late-9.log')?.headers).toMatchObject({
          source: 'a',
          path: 'day/1/late-9.log',
          size: '5009',
        });
      } finally {
        await runtime.stop();
      }
    }, 60_000);

    it('lends the pollers of a stopped HDFS to a heavier local cluster and takes them back when it is started again', async () => {
      const dir = `${root}/lend`;
      await mkdirs(b.url, dir);
      for (let i = 0; i < 3; i++) await putFile(b.url, `${dir}/b${i}.log`, `b${i}\n`);
      const local = tempDir('heavy');
      for (let i = 0; i < 5; i++) put(local, `l${i}.log`, `l${i}\n`);
      await stopHdfs(B.name);

      const stored: Stored[] = [];
      const { log, lines } = capturingLog();
      const t = pipeline(
        {
          clusters: [
            {
              name: 'b',
              backend: { type: 'webhdfs', url: b.url, root: dir, timeoutMs: 3000 },
              weight: 1,
              pollers: 2,
              connectAttempts: 2,
              probeIntervalMs: 300,
            },
            { name: 'local', backend: { type: 'local', dir: local }, weight: 3, pollers: 1 },
          ],
          watch: true,
          pollIntervalMs: 200,
        },
        collectSink(stored, { as: asStored }),
      );
      const runtime = await start(t, log);
      try {
        await eventually(() => assignment(status(runtime)) === 'local,local,local', {
          what: 'b lending its pollers',
          timeoutMs: 10_000,
        });
        await eventually(() => stored.length === 5, { what: 'the local files', timeoutMs: 10_000 });
        expect((status(runtime).clusters as unknown as ClusterView[])[0]).toMatchObject({
          name: 'b',
          healthy: false,
          pollers: [],
        });

        await startHdfs(B.name, B.port);
        await eventually(() => assignment(status(runtime)) === 'b,b,local', {
          what: 'b getting its pollers back',
          timeoutMs: 15_000,
        });
        await eventually(() => stored.length === 8, { what: 'the files of b', timeoutMs: 15_000 });
        expect(counts(stored.map((s) => s.file)).size).toBe(8);
        // While b starts up, its NameNode may answer before its DataNode serves blocks: b can be
        // lent out again briefly. The first move is away, the last one home.
        const moves = moveLog(lines);
        expect(moves[0]).toEqual(['b', 'local', [0, 1]]);
        expect(moves.at(-1)).toEqual(['local', 'b', [0, 1]]);
      } finally {
        await runtime.stop();
      }
    }, 90_000);

    it('moves the pollers of b to a (the heaviest) while b is stopped mid-run, then back, reading every file of both once', async () => {
      const dir = `${root}/multi`;
      await Promise.all([mkdirs(a.url, dir), mkdirs(b.url, dir)]);
      const expected: string[] = [];
      const upload = async (h: HdfsHandle, cluster: string, rel: string): Promise<void> => {
        expected.push(`${cluster}:${rel}`);
        await putFile(h.url, `${dir}/${rel}`, `${cluster} ${rel}\n`);
      };
      for (let i = 0; i < 5; i++)
        await Promise.all([upload(a, 'a', `one/${i}.log`), upload(b, 'b', `one/${i}.log`)]);

      const stored: Stored[] = [];
      const { log, lines } = capturingLog();
      const webhdfs = (h: HdfsHandle) => ({
        type: 'webhdfs' as const,
        url: h.url,
        root: dir,
        timeoutMs: 3000,
      });
      const t = pipeline(
        {
          clusters: [
            {
              name: 'a',
              backend: webhdfs(a),
              weight: 2,
              pollers: 2,
              connectAttempts: 2,
              probeIntervalMs: 300,
            },
            {
              name: 'b',
              backend: webhdfs(b),
              weight: 1,
              pollers: 2,
              connectAttempts: 2,
              probeIntervalMs: 300,
            },
          ],
          watch: true,
          pollIntervalMs: 200,
          minAgeMs: 500,
        },
        collectSink(stored, { as: asStored }),
      );
      const runtime = await start(t, log);
      try {
        await eventually(() => stored.length === 10, {
          what: 'the first files of a and b',
          timeoutMs: 15_000,
        });
        await stopHdfs(B.name);
        await eventually(() => assignment(status(runtime)) === 'a,a,a,a', {
          what: 'b lending its pollers to a',
          timeoutMs: 15_000,
        });
        for (let i = 0; i < 6; i++) await upload(a, 'a', `two/${i}.log`);
        await eventually(() => stored.length === 16, {
          what: 'the files uploaded to a while b is down',
          timeoutMs: 15_000,
        });

        await startHdfs(B.name, B.port);
        await eventually(() => assignment(status(runtime)) === 'a,a,b,b', {
          what: 'b getting its pollers back',
          timeoutMs: 15_000,
        });
        for (let i = 0; i < 4; i++) await upload(b, 'b', `three/${i}.log`);
        await eventually(() => stored.length >= 20, {
          what: 'the files uploaded to b after its restart',
          timeoutMs: 15_000,
        });
        await new Promise((r) => setTimeout(r, 800));
        expect(counts(stored.map((s) => s.file))).toEqual(new Map(expected.map((f) => [f, 1])));
        const moves = moveLog(lines);
        expect(moves[0]).toEqual(['b', 'a', [2, 3]]);
        expect(moves.at(-1)).toEqual(['a', 'b', [2, 3]]);
        expect(
          (status(runtime).clusters as unknown as ClusterView[]).map((c) => [
            c.name,
            c.healthy,
            c.done,
          ]),
        ).toEqual([
          ['a', true, 11],
          ['b', true, 9],
        ]);
      } finally {
        await runtime.stop();
      }
    }, 90_000);

    it('lists a directory tree with LISTSTATUS and reads a file back byte for byte', async () => {
      const dir = `${root}/store`;
      const bytes = randomBytes(150_000);
      await putFile(a.url, `${dir}/x/y/data.bin`, bytes);
      await putFile(a.url, `${dir}/x/skip.tmp`, 'no');
      const store = new WebHdfsStore(
        { url: a.url, root: dir, timeoutMs: 5000 },
        { paths: ['**/*.bin'], ignore: [] },
      );
      const signal = AbortSignal.timeout(10_000);
      const entries = await store.list(signal);
      expect(entries.map((e) => [e.path, e.size])).toEqual([['x/y/data.bin', 150_000]]);
      const back = await store.read(entries[0] as NonNullable<(typeof entries)[0]>, signal);
      expect(Buffer.from(back).equals(bytes)).toBe(true);
    }, 30_000);
  },
);
