import { EventEmitter } from 'node:events';
import type zookeeper from 'node-zookeeper-client';
import type { Client, Exception } from 'node-zookeeper-client';
import type { Logger } from 'pino';
import { NotConnected, errorMessage } from '../core/errors.js';
import { lazyRequire } from '../core/lazy-require.js';
import { watchHandshake } from './zk-handshake-watchdog.js';

/** The ZooKeeper client library, loaded when a session is first opened. */
const loadZookeeper = lazyRequire<typeof zookeeper>('node-zookeeper-client');

/** How to reach ZooKeeper. */
export interface ZkOptions {
  /** Connection string: host:port[,host:port...][/chroot]. */
  connect: string;
  /** Session timeout asked of the server: ephemeral nodes of a dead process vanish after this. */
  sessionTimeoutMs: number;
  /** How long `open` waits for the first session (default 10 s). */
  connectTimeoutMs?: number;
}

/** connected: a live session; disconnected: reconnecting inside the session; expired: a new session is being made. */
export type ZkState = 'connected' | 'disconnected' | 'expired' | 'closed';

export type NodeMode = 'persistent' | 'ephemeral' | 'ephemeral-sequential';

function modeCode(mode: NodeMode): number {
  const { CreateMode } = loadZookeeper();
  return mode === 'persistent' ? CreateMode.PERSISTENT : mode === 'ephemeral' ? CreateMode.EPHEMERAL : CreateMode.EPHEMERAL_SEQUENTIAL;
}

/** A node this session keeps alive: recreated in every new session until removed. */
export interface EphemeralNode {
  /** Replaces its data (kept for the next session too). */
  update(data: Buffer): Promise<void>;
  remove(): Promise<void>;
}

function isCode(error: unknown, code: number): boolean {
  return typeof error === 'object' && error !== null && (error as Exception).code === code;
}

/** Whether `error` is ZooKeeper's "no such node". */
export const isNoNode = (error: unknown): boolean => isCode(error, loadZookeeper().Exception.NO_NODE);
/** Whether `error` is ZooKeeper's "node exists". */
export const isNodeExists = (error: unknown): boolean => isCode(error, loadZookeeper().Exception.NODE_EXISTS);

/** Pause before a failed session hook runs again. */
const HOOK_RETRY_MS = 500;

/**
 * One ZooKeeper session for this process, over node-zookeeper-client, with what millrace needs:
 * ephemeral nodes that survive session expiry (recreated in the next session), one-shot watches,
 * and `onSession` hooks that run again in every new session (to re-arm watches and re-elect).
 * Inside one session the client reconnects by itself; after expiry a new client is made.
 */
export class ZkSession extends EventEmitter<{ state: [ZkState] }> {
  private client: Client;
  private current: ZkState = 'disconnected';
  private readonly hooks = new Set<() => Promise<void>>();
  /** Whether a first session was made (later clients run the hooks). */
  private started = false;
  private stopWatch: () => void = () => undefined;

  private constructor(
    private readonly options: ZkOptions,
    private readonly log: Logger,
  ) {
    super();
    this.client = this.newClient();
  }

  /** Connects; rejects with NotConnected naming the servers when no session is made in time. */
  static async open(options: ZkOptions, log: Logger): Promise<ZkSession> {
    const session = new ZkSession(options, log);
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      session.client.once('connected', () => {
        clearTimeout(timer);
        resolve(true);
      });
      session.client.connect();
    });
    if (!connected) {
      session.close();
      throw new NotConnected(
        `ZooKeeper at ${options.connect} gave no session within ${timeoutMs} ms: check that it runs and that zookeeper.connect is right`,
      );
    }
    return session;
  }

  get state(): ZkState {
    return this.current;
  }

  /**
   * Runs `hook` at the start of every later session (after an expiry: watches and ephemeral
   * nodes of the old session are gone); returns an unregister function.
   */
  onSession(hook: () => Promise<void>): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /** Creates `path` (parents too, as empty persistent nodes); resolves with the created path (sequential nodes get a suffix). */
  async create(path: string, data: Buffer, mode: NodeMode = 'persistent'): Promise<string> {
    await this.mkdirp(parentOf(path));
    return this.call<string>((cb) => this.client.create(path, data, modeCode(mode), cb));
  }

  /** Creates `path` and its parents as empty persistent nodes when missing. */
  async mkdirp(path: string): Promise<void> {
    if (path === '/' || path === '') return;
    await this.call<string>((cb) => this.client.mkdirp(path, cb));
  }

  /** The node's data, or undefined when there is none; `watch` fires once on its next change, creation or removal. */
  async get(path: string, watch?: () => void): Promise<Buffer | undefined> {
    try {
      if (watch === undefined) return await this.call<Buffer>((cb) => this.client.getData(path, cb));
      return await this.call<Buffer>((cb) => this.client.getData(path, () => watch(), cb));
    } catch (error) {
      if (!isNoNode(error)) throw error;
      // Watch for its creation instead.
      if (watch !== undefined) await this.call((cb) => this.client.exists(path, () => watch(), cb));
      return undefined;
    }
  }

  /** Writes the node's data, creating it (and its parents) as persistent when missing. */
  async set(path: string, data: Buffer): Promise<void> {
    try {
      await this.call((cb) => this.client.setData(path, data, cb));
    } catch (error) {
      if (!isNoNode(error)) throw error;
      try {
        await this.create(path, data);
      } catch (again) {
        if (!isNodeExists(again)) throw again;
        await this.call((cb) => this.client.setData(path, data, cb));
      }
    }
  }

  /** Child names of `path` ([] when it does not exist); `watch` fires once when they change. */
  async children(path: string, watch?: () => void): Promise<string[]> {
    try {
      if (watch === undefined) return await this.call<string[]>((cb) => this.client.getChildren(path, cb));
      return await this.call<string[]>((cb) => this.client.getChildren(path, () => watch(), cb));
    } catch (error) {
      if (!isNoNode(error)) throw error;
      if (watch !== undefined) await this.call((cb) => this.client.exists(path, () => watch(), cb));
      return [];
    }
  }

  /** Removes the node; a missing one is not an error. */
  async remove(path: string): Promise<void> {
    try {
      await this.call((cb) => this.client.remove(path, (error) => cb(error, undefined)));
    } catch (error) {
      if (!isNoNode(error)) throw error;
    }
  }

  /**
   * An ephemeral node at `path` holding `data`, created now and again in every new session, so it
   * lives exactly as long as this process keeps a session. `restored` is called each time a new
   * session has recreated it.
   */
  async ephemeral(path: string, data: Buffer, restored?: () => void): Promise<EphemeralNode> {
    let body = data;
    const put = async (): Promise<void> => {
      for (;;) {
        try {
          await this.create(path, body, 'ephemeral');
          return;
        } catch (error) {
          if (!isNodeExists(error)) throw error;
        }
        const stat = await this.call<zookeeper.Stat | null>((cb) => this.client.exists(path, cb));
        if (stat === null) continue;
        if (stat.ephemeralOwner.equals(this.client.getSessionId())) {
          // Ours from this session (a hook racing the first create): just refresh the data.
          await this.call((cb) => this.client.setData(path, body, cb));
          return;
        }
        // Left by this process's expired session, which the server has not dropped yet (a
        // restarted server re-arms old sessions): it would vanish with that session, so replace it.
        try {
          await this.call((cb) => this.client.remove(path, stat.version, (error) => cb(error, undefined)));
        } catch (error) {
          if (!isNoNode(error)) throw error;
        }
      }
    };
    await put();
    const unhook = this.onSession(async () => {
      await put();
      restored?.();
    });
    return {
      update: async (next) => {
        body = next;
        await this.call((cb) => this.client.setData(path, body, cb));
      },
      remove: async () => {
        unhook();
        await this.remove(path);
      },
    };
  }

  /** Ends the session: its ephemeral nodes go at once. */
  close(): void {
    if (this.current === 'closed') return;
    this.setState('closed');
    this.hooks.clear();
    this.stopWatch();
    this.client.removeAllListeners();
    this.client.close();
  }

  private newClient(): Client {
    const client = loadZookeeper().createClient(this.options.connect, { sessionTimeout: this.options.sessionTimeoutMs, spinDelay: 200, retries: 2 });
    this.stopWatch();
    // Well inside the session timeout, so a connection retried after a lost handshake still resumes the session.
    this.stopWatch = watchHandshake(client, Math.max(1000, Math.floor(this.options.sessionTimeoutMs / 3)));
    let sessions = 0;
    client.on('connected', () => {
      this.setState('connected');
      // A reconnect inside the same session keeps its nodes and watches; a new client is a new session.
      if (sessions++ === 0 && this.started) for (const hook of this.hooks) this.runHook(hook);
      this.started = true;
    });
    client.on('disconnected', () => this.setState('disconnected'));
    client.on('expired', () => {
      this.setState('expired');
      this.log.warn({ zookeeper: this.options.connect }, 'ZooKeeper session expired: opening a new one (ephemeral nodes are recreated)');
      client.removeAllListeners();
      client.close();
      this.client = this.newClient();
      this.client.connect();
    });
    return client;
  }

  private setState(state: ZkState): void {
    if (this.current === state || this.current === 'closed') return;
    this.current = state;
    this.emit('state', state);
  }

  /**
   * Runs `hook` for the session of `client`, again after a failure (the server may drop a
   * session's first requests while it starts) until it succeeds, the hook is removed, the
   * session ends (a new one runs every hook anyway) or this closes: a node not recreated must
   * not stay missing while the session lives.
   */
  private runHook(hook: () => Promise<void>, client: Client = this.client): void {
    hook().catch((error: unknown) => {
      const live = (): boolean => this.current !== 'closed' && this.client === client && this.hooks.has(hook);
      if (!live()) return;
      this.log.warn({ zookeeper: this.options.connect, err: errorMessage(error) }, `ZooKeeper session hook failed; trying again in ${HOOK_RETRY_MS} ms`);
      setTimeout(() => {
        if (live()) this.runHook(hook, client);
      }, HOOK_RETRY_MS).unref();
    });
  }

  private call<T = unknown>(start: (cb: (error: Error | Exception | null, value: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      start((error, value) => {
        if (error) reject(error instanceof Error ? error : Object.assign(new Error(`ZooKeeper: ${error.toString()}`), { code: error.code }));
        else resolve(value);
      });
    });
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
