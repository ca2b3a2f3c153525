import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterResponse } from '../../src/inspect/cluster-view.js';
import type { ActorsResponse, InfoView } from '../../src/inspect/types.js';
import { ensureMariaDb, type MariaDbHandle } from '../infra/mariadb/server.js';
import { TOXIPROXY_INSTALL, Toxiproxy, toxiproxyBinary } from '../infra/toxiproxy/toxiproxy.js';
import { ensureZooKeeper, ownZooKeeper, type OwnZooKeeper, type ZooKeeperHandle } from '../infra/zookeeper/server.js';
import { mysqlUrl, sql, uniqueTable } from '../kinds/database/mariadb.js';
import { eventually } from '../kit/eventually.js';
import { freePort } from '../kit/free-port.js';
import { missingPart } from '../real-part.js';
import { generatorTopology, rowsTopology, storedRows } from './cluster-topologies.js';
import { millrace, topologyDir, type Exited } from './process.js';

/** How long each coordination store is out: the 30 s. */
const outageMs = 30_000;
const leaseMs = 4000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let db: MariaDbHandle;
let zk: ZooKeeperHandle;
let toxiproxy: Toxiproxy | undefined;
const procs: ChildProcess[] = [];

async function api<T>(port: number, path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}/${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

type Run = Awaited<ReturnType<typeof run>>;

/** `api` of a run's inspector; when it cannot be reached because the process ended, says how, with its last output. */
async function ask<T>(r: Run, path: string): Promise<T> {
  try {
    return await api<T>(r.port, path);
  } catch (error) {
    if (r.proc.exitCode === null && r.proc.signalCode === null) throw error;
    const e = await r.exited;
    throw new Error(`millrace (pid ${r.proc.pid}) has ended (${e.code ?? e.signal}): ${e.stderr.slice(-3000)}`, { cause: error });
  }
}

/** Starts `millrace run` with an inspector on a free port. */
async function run(file: string): Promise<{ proc: ChildProcess; exited: Promise<Exited>; port: number }> {
  const port = await freePort();
  const started = millrace(['run', file, '--inspect', `127.0.0.1:${port}`]);
  procs.push(started.proc);
  return { ...started, port };
}

function expectExit(exited: Exited): void {
  if (exited.code !== 0) throw new Error(`millrace exited ${exited.code ?? exited.signal}: ${exited.stderr.slice(-3000)}`);
}

/** The process rows of one `top --cluster --once`. */
async function clusterRows(file: string): Promise<string[]> {
  const { stdout, stderr, code } = await millrace(['top', '--cluster', file, '--once']).exited;
  if (code !== 0) throw new Error(`top --cluster exited ${code}: ${stderr}`);
  return stdout.split('\n').slice(3).filter((l) => l.trim() !== '');
}

beforeAll(async () => {
  db = await ensureMariaDb();
  zk = await ensureZooKeeper();
  const binary = toxiproxyBinary();
  if (!missingPart(binary !== undefined, 'toxiproxy (to cut the claims database off)', TOXIPROXY_INSTALL) && binary !== undefined) {
    toxiproxy = await Toxiproxy.start(binary);
  }
}, 600_000);

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await toxiproxy?.stop();
  await zk?.stop();
  await db?.stop();
}, 120_000);

describe('coordination stores out of reach for 30 s, two processes', () => {
  it('claims database cut off: both keep and finish what they hold, take no new files, show degraded (inspector, top --cluster), resume; every line once in the database', async () => {
    if (toxiproxy === undefined) return;
    const proxyName = `claims-${process.pid}-${Date.now()}`;
    const proxyPort = await toxiproxy.proxy(proxyName, `127.0.0.1:${db.port}`);
    const claimsUrl = mysqlUrl({ ...db, port: proxyPort });
    const table = uniqueTable('outage_rows');
    const claims = uniqueTable('outage_claims');
    const name = `outage-claims-${process.pid}-${Date.now()}`;
    const { dir } = topologyDir('');
    mkdirSync(join(dir, 'in'));
    const files = 1500;
    const lines = 40;
    for (let f = 0; f < files; f++) {
      const text = Array.from({ length: lines }, (_, i) => `2026-11-20T08:15:02.${String(i).padStart(3, '0')}Z shop ad_show user=u${f} ad=a${i}\n`).join('');
      writeFileSync(join(dir, 'in', `f${String(f).padStart(5, '0')}.log`), text);
    }
    const topology = (p: string): string =>
      rowsTopology(dir, `${p}.yaml`, {
        name,
        dataDir: `.millrace/${p}`,
        header: [`coordination: { zookeeper: { connect: "${zk.connect}", sessionTimeoutMs: 4000, root: /millrace-outage } }`],
        claims: { url: claimsUrl, leaseMs, table: claims },
        sink: { url: mysqlUrl(db), table },
      });
    const stored = (): Promise<number> => storedRows(db, table);
    const degraded = async (port: number): Promise<boolean> => {
      const actors = await api<ActorsResponse>(port, 'api/actors');
      return actors.actors.some((a) => a.id === 'files' && a.replicas.some((r) => r.status?.degraded === true));
    };
    const runs = [await run(topology('p1')), await run(topology('p2'))];
    await eventually(async () => (await stored()) >= 2000, { what: 'rows flowing before the outage', timeoutMs: 60_000 });
    for (const r of runs) expect(await degraded(r.port)).toBe(false);

    await toxiproxy.enable(proxyName, false);
    const cutAt = Date.now();
    let stalled: number;
    try {
      // Both say degraded, in their inspectors and in top --cluster.
      await eventually(async () => (await Promise.all(runs.map((r) => degraded(r.port)))).every(Boolean), { what: 'both inspectors to say degraded', timeoutMs: 15_000 });
      const rows = await eventually(async () => {
        const r = await clusterRows(topology('p1'));
        return r.length === 2 && r.every((l) => /\bdegraded\b/.test(l) && l.includes('degraded: files')) && r;
      }, { what: 'top --cluster to show both processes degraded', timeoutMs: 15_000, intervalMs: 500 });
      expect(rows).toHaveLength(2);
      // Held files are finished while their leases last; after that nothing new is read.
      await sleep(Math.max(0, cutAt + leaseMs + 3000 - Date.now()));
      stalled = await stored();
      await sleep(Math.max(0, cutAt + outageMs - Date.now()));
      expect(await stored()).toBe(stalled);
      for (const r of runs) expect(r.proc.exitCode).toBeNull();
    } finally {
      await toxiproxy.enable(proxyName, true);
    }
    for (const r of runs) await eventually(async () => !(await degraded(r.port)), { what: 'degraded to clear', timeoutMs: 30_000 });
    const exited = await Promise.all(runs.map((r) => r.exited));
    for (const e of exited) {
      expectExit(e);
      expect(e.stdout + e.stderr).toContain('hdfs claims database unreachable');
    }
    expect(stalled).toBeLessThan(files * lines);
    expect(await stored()).toBe(files * lines);
    const perFile = await sql(db, `SELECT file, count(DISTINCT line) AS n, min(line) AS lo, max(line) AS hi, count(*) AS c FROM \`${table}\` GROUP BY file`);
    expect(perFile).toHaveLength(files);
    for (const f of perFile) expect(f).toMatchObject({ n: lines, lo: 1, hi: lines, c: lines });
    const states = await sql(db, `SELECT done, owner IS NULL AS free, count(*) AS n FROM \`${claims}\` GROUP BY done, owner IS NULL`);
    expect(states).toEqual([{ done: 1, free: 1, n: files }]);
  }, 300_000);

  it('ZooKeeper stopped: membership shows degraded in both inspectors (the cluster view keeps the last listing), data keeps flowing, both re-register when it is back', async () => {
    const own: OwnZooKeeper = await ownZooKeeper(`outage-${process.pid}`, await freePort());
    try {
      const name = `outage-zk-${process.pid}-${Date.now()}`;
      const file = generatorTopology(name, own.connect, 4000, 300);
      const runs = [await run(file), await run(file)];
      const sunk = async (r: Run): Promise<number> => (await ask<ActorsResponse>(r, 'api/actors')).actors.find((a) => a.id === 'out')?.records.in ?? 0;
      // The cluster view of each lists both, running, with rates read from each one's inspector.
      for (const r of runs) {
        const view = await eventually(async () => {
          const c = await ask<ClusterResponse>(r, 'api/cluster');
          return c.processes.length === 2 && c.processes.every((p) => p.state === 'running' && (p.inRate ?? 0) > 50) && c;
        }, { what: 'both processes listed as running with rates', timeoutMs: 60_000, intervalMs: 500 });
        expect(view.membership).toMatchObject({ state: 'registered', degraded: false });
        expect(view.error).toBeNull();
        expect(view.processes.map((p) => p.pid).sort()).toEqual(runs.map((x) => x.proc.pid).sort());
      }

      await own.kill9();
      const stoppedAt = Date.now();
      try {
        for (const r of runs) {
          await eventually(async () => (await ask<InfoView>(r, 'api/info')).membership?.degraded === true, { what: 'membership degraded', timeoutMs: 15_000 });
          const c = await ask<ClusterResponse>(r, 'api/cluster');
          expect(c.error).toMatch(/out of reach/);
          expect(c.processes).toHaveLength(2); // the last listing
        }
        const before = await Promise.all(runs.map((r) => sunk(r)));
        await sleep(Math.max(0, stoppedAt + outageMs - Date.now()));
        const after = await Promise.all(runs.map((r) => sunk(r)));
        // Data flow is not ZooKeeper's: each kept its generator's pace (300/s) through the outage.
        for (const [i, n] of after.entries()) expect(n - (before[i] ?? 0)).toBeGreaterThan(100 * ((outageMs - 15_000) / 1000));
        for (const r of runs) expect(r.proc.exitCode).toBeNull();
      } finally {
        await own.restart();
      }
      for (const r of runs) {
        await eventually(async () => {
          const c = await ask<ClusterResponse>(r, 'api/cluster');
          const ok = !c.membership.degraded && c.error === null && c.processes.length === 2 && c.processes.every((p) => p.state === 'running');
          // Failing, it says how each process sees its own membership, beside this one's listing.
          const own = async (x: Run): Promise<unknown> => (await ask<InfoView>(x, 'api/info')).membership;
          if (!ok) throw new Error(JSON.stringify({ ...c, processes: c.processes.map((p) => [p.name, p.state, p.error, p.membership?.state]), memberships: await Promise.all(runs.map(own)) }));
          return true;
        }, { what: 'membership restored and both listed again', timeoutMs: 60_000, intervalMs: 500 });
      }
      for (const r of runs) r.proc.kill('SIGTERM');
      for (const e of await Promise.all(runs.map((r) => r.exited))) {
        expectExit(e);
        expect(e.stdout + e.stderr).toContain('ZooKeeper membership degraded');
      }
    } finally {
      await own.clean();
    }
  }, 300_000);
});
