import { listMembers, type ListedMember } from '../coord/membership.js';
import { ZkSession } from '../coord/zk-session.js';
import { errorMessage } from '../core/errors.js';
import type { ActorsResponse } from '../inspect/types.js';
import { createLogger } from '../runtime/logger.js';
import type { Topology } from '../topology/model.js';
import { ExitCode } from './exit-codes.js';
import { getJson } from './inspect-client.js';
import { showLive } from './top-command.js';
import { alignRows, compact, stateColor } from './top-table.js';

/** One process of the cluster as `top --cluster` shows it. */
interface ProcessRow {
  listed: ListedMember;
  /** Its actors, or why they could not be read. */
  actors: ActorsResponse | { error: string };
}

const INSPECTOR_TIMEOUT_MS = 2000;

async function readProcess(listed: ListedMember, token: string | undefined): Promise<ProcessRow> {
  if (!listed.ok) return { listed, actors: { error: listed.reason } };
  const url = listed.member.inspector;
  if (url === null) return { listed, actors: { error: 'runs without an inspector (--inspect)' } };
  try {
    const target = { url, ...(token === undefined ? {} : { token }) };
    const actors = await Promise.race([
      getJson<ActorsResponse>(target, 'api/actors'),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${INSPECTOR_TIMEOUT_MS} ms`)), INSPECTOR_TIMEOUT_MS).unref()),
    ]);
    return { listed, actors };
  } catch (error) {
    return { listed, actors: { error: `${url}: ${errorMessage(error)}` } };
  }
}

function uptime(startedAt: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

/**
 * The `millrace top --cluster` table: one row per registered process of the topology with its
 * state and rates (records/s read by its sources and written by its sinks), read from its
 * inspector; a process whose inspector does not answer is shown as unreachable with the reason.
 */
export function clusterTable(name: string, rows: readonly ProcessRow[], color: boolean, now = Date.now()): string {
  const table: string[][] = [['PROCESS', 'STATE', 'UP', 'IN/S', 'OUT/S', 'ACTORS', 'RESTARTS', 'ERRORS', 'VERSION', 'INSPECTOR']];
  const states: string[] = [];
  for (const { listed, actors } of rows) {
    const m = listed.ok ? listed.member : undefined;
    const who = m === undefined ? listed.node : `${m.host}:${m.pid}`;
    if ('error' in actors) {
      states.push('unreachable');
      table.push([who, 'unreachable', m ? uptime(m.startedAt, now) : '-', '-', '-', '-', '-', '-', m?.version ?? '-', actors.error]);
      continue;
    }
    const sum = (pick: (a: ActorsResponse['actors'][number]) => number): number => actors.actors.reduce((n, a) => n + pick(a), 0);
    states.push(actors.health.status);
    table.push([
      who,
      actors.health.status,
      m ? uptime(m.startedAt, now) : '-',
      compact(sum((a) => (a.role === 'source' ? a.rates.recordsOut : 0))),
      compact(sum((a) => (a.role === 'sink' ? a.rates.recordsIn : 0))),
      String(actors.actors.length),
      String(sum((a) => a.restarts)),
      String(sum((a) => a.errors)),
      m?.version ?? '-',
      m?.inspector ?? '-',
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
      const members = await listMembers(session, zookeeper, topology.name);
      return clusterTable(topology.name, await Promise.all(members.map((m) => readProcess(m, token))), color);
    };
    return await showLive(draw, `list the processes in ZooKeeper at ${zookeeper.connect}`, once);
  } finally {
    session.close();
  }
}
