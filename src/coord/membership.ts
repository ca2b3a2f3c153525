import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { z } from 'zod';
import { errorMessage } from '../core/errors.js';
import type { ZookeeperConfig } from './zk-config.js';
import { ZkSession, type EphemeralNode } from './zk-session.js';

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

const version: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** `<root>/topologies/<name>/members`: where the processes of one topology register. */
export function membersPath(config: ZookeeperConfig, topology: string): string {
  return `${config.root}/topologies/${encodeURIComponent(topology)}/members`;
}

/** This process's registration; `close` removes it at once (a killed process's goes when its session expires). */
export interface Registration {
  readonly node: string;
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
  const attempt = async (): Promise<void> => {
    let opened: ZkSession | undefined;
    try {
      opened = await ZkSession.open({ connect: config.connect, sessionTimeoutMs: config.sessionTimeoutMs }, log);
      const made = await opened.ephemeral(node, Buffer.from(JSON.stringify(member)));
      if (closed) {
        opened.close();
        return;
      }
      session = opened;
      entry = made;
      log.info({ zookeeper: config.connect, node }, 'registered as a member of the topology in ZooKeeper');
    } catch (error) {
      opened?.close();
      if (closed) return;
      log.warn({ zookeeper: config.connect, err: errorMessage(error) }, `not registered in ZooKeeper (coordination.zookeeper); trying again in ${config.sessionTimeoutMs} ms`);
      retry = setTimeout(() => void attempt(), config.sessionTimeoutMs);
      retry.unref();
    }
  };
  const started = attempt();
  return {
    node,
    close: async () => {
      closed = true;
      clearTimeout(retry);
      await started;
      await entry?.remove().catch(() => undefined);
      session?.close();
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
