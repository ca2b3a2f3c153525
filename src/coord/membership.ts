import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { z } from 'zod';
import { errorMessage } from '../core/errors.js';
import type { ZookeeperConfig } from './zk-config.js';
import { ZkSession, type EphemeralNode } from './zk-session.js';
import { codeFile } from '../core/code-root.js';

/** What a running process says about itself in ZooKeeper. */
export const memberSchema = z.strictObject({
  host: z.string(),
  pid: z.number().int(),
  /** Its inspector's URL, or null when it runs without one. */
  inspector: z.string().nullable(),
  topology: z.string(),
  /** millrace's version. */
  version: z.string(),
  /** ISO time the process started the topology. */
  startedAt: z.string(),
});
export type Member = z.output<typeof memberSchema>;

/** A member as listed: its node name and what it registered (or why that cannot be read). */
export type ListedMember = { node: string } & ({ ok: true; member: Member } | { ok: false; reason: string });

const version: string = (JSON.parse(readFileSync(codeFile('../package.json'), 'utf8')) as { version: string }).version;

/** `<root>/topologies/<name>/members`: where the processes of one topology register. */
export function membersPath(config: ZookeeperConfig, topology: string): string {
  return `${config.root}/topologies/${encodeURIComponent(topology)}/members`;
}

/**
 * Where this process stands in ZooKeeper: registered (a live session holds its node), connecting
 * (never registered yet, retrying), disconnected (the session is reconnecting: the node lasts until
 * it expires), expired (a new session is being made, the node is recreated in it). Anything but
 * registered is degraded: the cluster cannot see this process reliably.
 */
export interface MembershipView {
  state: 'registered' | 'connecting' | 'disconnected' | 'expired' | 'closed';
  /** Whether membership is degraded (anything but registered). */
  degraded: boolean;
  zookeeper: string;
  node: string;
  /** When it entered this state (ms since the epoch). */
  since: number;
  /** The last error while registering, if the state is connecting. */
  error: string | null;
}

/** This process's registration; `close` removes it at once (a killed process's goes when its session expires). */
export interface Registration {
  readonly node: string;
  view(): MembershipView;
  /** The session that holds the registration, once registered (to list the other members). */
  session(): ZkSession | undefined;
  close(): Promise<void>;
}

/**
 * Registers this process as a member of `topology` with an ephemeral node, kept (recreated) in
 * every new session. When ZooKeeper cannot be reached the run goes on unregistered, and
 * registering is tried again every session timeout until it works or `close` is called.
 */
export function registerMember(config: ZookeeperConfig, topology: string, inspector: string | undefined, log: Logger): Registration {
  const node = `${membersPath(config, topology)}/${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const member: Member = { host: hostname(), pid: process.pid, inspector: inspector ?? null, topology, version, startedAt: new Date().toISOString() };
  let closed = false;
  let session: ZkSession | undefined;
  let entry: EphemeralNode | undefined;
  let retry: NodeJS.Timeout | undefined;
  let state: MembershipView['state'] = 'connecting';
  let since = Date.now();
  let lastError: string | null = null;
  const enter = (next: MembershipView['state']): void => {
    if (next === state) return;
    if (state === 'registered') log.warn({ zookeeper: config.connect, state: next }, 'ZooKeeper membership degraded: the session is not connected');
    else if (next === 'registered' && state !== 'connecting') log.info({ zookeeper: config.connect }, 'ZooKeeper membership restored');
    state = next;
    since = Date.now();
  };
  const attempt = async (): Promise<void> => {
    let opened: ZkSession | undefined;
    try {
      opened = await ZkSession.open({ connect: config.connect, sessionTimeoutMs: config.sessionTimeoutMs }, log);
      // After an expiry the new session recreates the node; registered again only once it has.
      const made = await opened.ephemeral(node, Buffer.from(JSON.stringify(member)), () => enter('registered'));
      if (closed) {
        opened.close();
        return;
      }
      session = opened;
      entry = made;
      lastError = null;
      enter('registered');
      opened.on('state', (s) => {
        if (s === 'disconnected' || s === 'expired' || s === 'closed') enter(s);
        else if (s === 'connected' && state === 'disconnected') enter('registered');
      });
      log.info({ zookeeper: config.connect, node }, 'registered as a member of the topology in ZooKeeper');
    } catch (error) {
      opened?.close();
      if (closed) return;
      lastError = errorMessage(error);
      log.warn({ zookeeper: config.connect, err: lastError }, `not registered in ZooKeeper (coordination.zookeeper); trying again in ${config.sessionTimeoutMs} ms`);
      retry = setTimeout(() => void attempt(), config.sessionTimeoutMs);
      retry.unref();
    }
  };
  const started = attempt();
  return {
    node,
    view: () => ({ state, degraded: state !== 'registered', zookeeper: config.connect, node, since, error: state === 'connecting' ? lastError : null }),
    session: () => session,
    close: async () => {
      closed = true;
      clearTimeout(retry);
      await started;
      await entry?.remove().catch(() => undefined);
      session?.close();
      enter('closed');
    },
  };
}

/** The processes registered for `topology`, in node name order. */
export async function listMembers(session: ZkSession, config: ZookeeperConfig, topology: string): Promise<ListedMember[]> {
  const dir = membersPath(config, topology);
  const nodes = (await session.children(dir)).sort();
  const listed = await Promise.all(
    nodes.map(async (node): Promise<ListedMember | undefined> => {
      const data = await session.get(`${dir}/${node}`);
      if (data === undefined) return undefined; // gone between the listing and the read
      try {
        return { node, ok: true, member: memberSchema.parse(JSON.parse(data.toString('utf8'))) };
      } catch (error) {
        return { node, ok: false, reason: `unreadable registration: ${errorMessage(error)}` };
      }
    }),
  );
  return listed.filter((m): m is ListedMember => m !== undefined);
}
