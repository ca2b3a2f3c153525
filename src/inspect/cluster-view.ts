import { getJson } from './client.js';
import { errorMessage } from '../core/errors.js';
import type { ActorsResponse, InfoView } from './types.js';
import { listMembers, type ListedMember, type MembershipView, type Registration } from '../coord/membership.js';
import type { ZkSession } from '../coord/zk-session.js';
import type { ZookeeperConfig } from '../coord/zk-config.js';

const INSPECTOR_TIMEOUT_MS = 2000;

/**
 * One process of a topology as the cluster view shows it (`millrace top --cluster`, the
 * inspector's `/api/cluster`): what it registered in ZooKeeper and what its own inspector says.
 */
export interface ClusterProcess {
  /** Its membership node's name. */
  node: string;
  /** `host:pid`, or the node name when its registration is unreadable. */
  name: string;
  host: string | null;
  pid: number | null;
  inspector: string | null;
  version: string | null;
  startedAt: string | null;
  /**
   * running / finished / failed (its health); degraded when it runs but an actor's status says
   * degraded or its own ZooKeeper membership is; unreachable when its inspector does not answer.
   */
  state: string;
  /** The actors whose status says degraded (hdfs claims out of reach, ...). */
  degradedActors: string[];
  /** Its own view of its ZooKeeper membership, when its inspector gives one. */
  membership: MembershipView | null;
  /** Records/s out of its sources and into its sinks. */
  inRate: number | null;
  outRate: number | null;
  actors: number | null;
  restarts: number | null;
  errors: number | null;
  /** Why it could not be read (unreachable inspector, unreadable registration). */
  error: string | null;
}

function within<T>(work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${INSPECTOR_TIMEOUT_MS} ms`)), INSPECTOR_TIMEOUT_MS).unref()),
  ]);
}

/** Actor ids whose status (of any replica) says `degraded: true`. */
export function degradedActors(actors: ActorsResponse): string[] {
  return actors.actors.filter((a) => a.replicas.some((r) => r.status?.degraded === true)).map((a) => a.id);
}

/** Reads one listed member's inspector (actors and info) into its cluster row. */
export async function readProcess(listed: ListedMember, token: string | undefined): Promise<ClusterProcess> {
  const m = listed.ok ? listed.member : undefined;
  const base: ClusterProcess = {
    node: listed.node,
    name: m === undefined ? listed.node : `${m.host}:${m.pid}`,
    host: m?.host ?? null,
    pid: m?.pid ?? null,
    inspector: m?.inspector ?? null,
    version: m?.version ?? null,
    startedAt: m?.startedAt ?? null,
    state: 'unreachable',
    degradedActors: [],
    membership: null,
    inRate: null,
    outRate: null,
    actors: null,
    restarts: null,
    errors: null,
    error: null,
  };
  if (!listed.ok) return { ...base, error: listed.reason };
  if (listed.member.inspector === null) return { ...base, error: 'runs without an inspector (--inspect)' };
  const target = { url: listed.member.inspector, ...(token === undefined ? {} : { token }) };
  try {
    const [actors, info] = await within(Promise.all([getJson<ActorsResponse>(target, 'api/actors'), getJson<InfoView>(target, 'api/info')]));
    const sum = (pick: (a: ActorsResponse['actors'][number]) => number): number => actors.actors.reduce((n, a) => n + pick(a), 0);
    const degraded = degradedActors(actors);
    const membership = info.membership ?? null;
    const running = actors.health.status === 'running';
    return {
      ...base,
      state: running && (degraded.length > 0 || membership?.degraded === true) ? 'degraded' : actors.health.status,
      degradedActors: degraded,
      membership,
      inRate: sum((a) => (a.role === 'source' ? a.rates.recordsOut : 0)),
      outRate: sum((a) => (a.role === 'sink' ? a.rates.recordsIn : 0)),
      actors: actors.actors.length,
      restarts: sum((a) => a.restarts),
      errors: sum((a) => a.errors),
    };
  } catch (error) {
    return { ...base, error: `${listed.member.inspector}: ${errorMessage(error)}` };
  }
}

/** The processes registered for `topology`, each read from its own inspector. */
export async function readCluster(session: ZkSession, config: ZookeeperConfig, topology: string, token: string | undefined): Promise<ClusterProcess[]> {
  const members = await listMembers(session, config, topology);
  return Promise.all(members.map((m) => readProcess(m, token)));
}

/** `/api/cluster`: this process's membership and the topology's processes. */
export interface ClusterResponse {
  topology: string;
  zookeeper: string;
  /** This process's own registration (degraded while ZooKeeper is out of reach). */
  membership: MembershipView;
  /** When the processes were listed (ms since the epoch), null before the first listing. */
  listedAt: number | null;
  /** Why ZooKeeper could not be listed now; the processes are then the last listing's. */
  error: string | null;
  processes: ClusterProcess[];
}

/** What the inspector serves about the cluster of the process it runs in. */
export interface ClusterSource {
  membership(): MembershipView;
  cluster(): Promise<ClusterResponse>;
}

/**
 * The cluster as this process sees it through its registration's session: each call lists the
 * members and reads their inspectors; while ZooKeeper is out of reach it answers the last listing
 * with the reason.
 */
export function clusterSource(registration: Registration, config: ZookeeperConfig, topology: string, token: string | undefined): ClusterSource {
  let last: { at: number; processes: ClusterProcess[] } | undefined;
  return {
    membership: () => registration.view(),
    async cluster() {
      const membership = registration.view();
      const base = { topology, zookeeper: config.connect, membership };
      const session = registration.session();
      const stale = (error: string): ClusterResponse => ({ ...base, listedAt: last?.at ?? null, error, processes: last?.processes ?? [] });
      if (session === undefined || session.state !== 'connected') {
        return stale(`ZooKeeper at ${config.connect} is out of reach (membership ${membership.state}): showing the last listing`);
      }
      try {
        const processes = await within(readCluster(session, config, topology, token));
        last = { at: Date.now(), processes };
        return { ...base, listedAt: last.at, error: null, processes };
      } catch (error) {
        return stale(`ZooKeeper at ${config.connect}: ${errorMessage(error)}: showing the last listing`);
      }
    },
  };
}
