import { describe, expect, it } from 'vitest';
import { eventually } from '../kit/eventually.js';
import { freePort } from '../kit/free-port.js';
import { generatorTopology, zooKeeperAndProcesses } from './cluster-topologies.js';
import { millrace, topologyDir } from './process.js';

const name = `cluster-${process.pid}-${Date.now()}`;

/** One process's topology file: the same topology name and ZooKeeper for both, a data dir each. */
const topologyFile = (connect: string): string => generatorTopology(name, connect, 2000);

/** The process rows (`host:pid state ...`) of one `top --cluster --once`. */
async function clusterRows(file: string): Promise<string[]> {
  const { stdout, stderr, code } = await millrace(['top', '--cluster', file, '--once']).exited;
  if (code !== 0) throw new Error(`top --cluster exited ${code}: ${stderr}`);
  return stdout.split('\n').slice(3).filter((l) => l.trim() !== '');
}

describe('membership in ZooKeeper and millrace top --cluster', () => {
  const { zk, procs } = zooKeeperAndProcesses();

  it('lists two running processes with their state and rates; a kill -9 one disappears when its session expires; a stopped one at once', async () => {
    const runs = await Promise.all(
      [0, 1].map(async () => {
        const port = await freePort();
        const run = millrace(['run', topologyFile(zk().connect), '--inspect', `127.0.0.1:${port}`]);
        procs.push(run.proc);
        return { ...run, port, pid: run.proc.pid! };
      }),
    );
    const file = topologyFile(zk().connect);
    const rowOf = (rows: string[], pid: number): string | undefined => rows.find((r) => r.includes(`:${pid} `));

    const rows = await eventually(
      async () => {
        const r = await clusterRows(file);
        return runs.every(({ pid }) => /running/.test(rowOf(r, pid) ?? '')) && r;
      },
      { what: 'both processes listed as running', timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(rows).toHaveLength(2);
    for (const { pid, port } of runs) {
      const row = rowOf(rows, pid)!;
      expect(row).toContain(`http://127.0.0.1:${port}/`);
      // Rates read from the process's own inspector: its generator emits about 200/s.
      const [, , , inRate] = row.split(/\s+/);
      expect(inRate).toMatch(/^\d/);
    }
    await eventually(async () => {
      const r = await clusterRows(file);
      return runs.every(({ pid }) => Number(rowOf(r, pid)?.split(/\s+/)[3]) > 50) || undefined;
    }, { what: 'both processes to report their generator rate', timeoutMs: 30_000, intervalMs: 500 });

    // kill -9: no deregistration; ZooKeeper drops the node when the session (2 s) expires.
    const [killed, kept] = runs as [(typeof runs)[number], (typeof runs)[number]];
    killed.proc.kill('SIGKILL');
    await killed.exited;
    const after = await eventually(
      async () => {
        const r = await clusterRows(file);
        return rowOf(r, killed.pid) === undefined && r;
      },
      { what: 'the killed process to disappear', timeoutMs: 20_000, intervalMs: 250 },
    );
    expect(after).toHaveLength(1);
    expect(rowOf(after, kept.pid)).toMatch(/running/);

    // A graceful stop removes its node itself.
    kept.proc.kill('SIGTERM');
    await kept.exited;
    expect(await clusterRows(file)).toEqual([]);
  }, 150_000);

  it('refuses a topology without coordination.zookeeper, saying what to add', async () => {
    const file = topologyDir(`
sources:
  gen: { kind: generator, count: 1 }
sinks:
  out: { kind: blackhole, inputs: [gen] }
`).file;
    const { code, stderr } = await millrace(['top', '--cluster', file, '--once']).exited;
    expect(code).toBe(2);
    expect(stderr).toContain('has no coordination.zookeeper');
  });
});
