import { readCluster, type ClusterProcess } from '../inspect/cluster-view.js';
import { ZkSession } from '../coord/zk-session.js';
import { errorMessage } from '../core/errors.js';
import { createLogger } from '../runtime/logger.js';
import type { Topology } from '../topology/model.js';
import { ExitCode } from './exit-codes.js';
import { showLive } from './top-command.js';
import { alignRows, compact, stateColor } from './top-table.js';

function uptime(startedAt: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

/**
 * The `millrace top --cluster` table: one row per registered process of the topology with its
 * state and rates (records/s read by its sources and written by its sinks), read from its
 * inspector; a process whose inspector does not answer is shown as unreachable with the reason.
 */
export function clusterTable(name: string, rows: readonly ClusterProcess[], color: boolean, now = Date.now()): string {
  const table: string[][] = [['PROCESS', 'STATE', 'UP', 'IN/S', 'OUT/S', 'ACTORS', 'RESTARTS', 'ERRORS', 'VERSION', 'INSPECTOR']];
  const states: string[] = [];
  const count = (n: number | null): string => (n === null ? '-' : String(n));
  for (const p of rows) {
    states.push(p.state);
    const up = p.startedAt === null ? '-' : uptime(p.startedAt, now);
    const why = p.state === 'degraded' ? `${p.inspector ?? '-'} (degraded: ${[...p.degradedActors, ...(p.membership?.degraded ? [`zookeeper ${p.membership.state}`] : [])].join(', ')})` : p.inspector ?? '-';
    table.push([
      p.name,
      p.state,
      up,
      p.inRate === null ? '-' : compact(p.inRate),
      p.outRate === null ? '-' : compact(p.outRate),
      count(p.actors),
      count(p.restarts),
      count(p.errors),
      p.version ?? '-',
      p.error ?? why,
    ]);
  }
  const lines = alignRows(table, new Set([2, 3, 4, 5, 6, 7]), color, (r, i, cell) => (i === 1 ? stateColor(states[r] ?? '') : i === 7 && cell !== '0' ? 31 : undefined));
  const title = `millrace top --cluster: ${name}  ${rows.length} process${rows.length === 1 ? '' : 'es'}  ${new Date(now).toISOString()}`;
  return `${title}\n\n${lines.join('\n')}\n`;
}

/**
 * `millrace top --cluster <topology.yaml>`: the processes registered for the topology in its
 * `coordination.zookeeper`, each with its state and rates from its own inspector API.
 */
export async function runClusterTop(topology: Topology, token: string | undefined, once: boolean): Promise<number> {
  const zookeeper = topology.coordination?.zookeeper;
  if (zookeeper === undefined) {
    process.stderr.write(`millrace top --cluster: ${topology.file} has no coordination.zookeeper, so its processes do not register anywhere; add coordination: { zookeeper: { connect: host:port } } to the topology\n`);
    return ExitCode.invalid;
  }
  let session: ZkSession;
  try {
    session = await ZkSession.open({ connect: zookeeper.connect, sessionTimeoutMs: zookeeper.sessionTimeoutMs }, createLogger());
  } catch (error) {
    process.stderr.write(`millrace top --cluster: ${errorMessage(error)}\n`);
    return ExitCode.runtimeFailure;
  }
  try {
    const draw = async (color: boolean): Promise<string> => {
      return clusterTable(topology.name, await readCluster(session, zookeeper, topology.name, token), color);
    };
    return await showLive(draw, `list the processes in ZooKeeper at ${zookeeper.connect}`, once);
  } finally {
    session.close();
  }
}
