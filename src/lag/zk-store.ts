import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import type { ZookeeperConfig } from '../coord/zk-config.js';
import { ZkSession } from '../coord/zk-session.js';
import { blacklistSnapshotSchema, type BlacklistSnapshot, type BlacklistStore } from './store.js';

/**
 * The blacklist shared through ZooKeeper under `<path>`: every instance holds an ephemeral
 * sequential node in `<path>/writers`, the lowest one is the writer (when its session dies the
 * next takes over), and the snapshot is the data of `<path>/state`, which every instance
 * watches. An instance that has lost its session is no writer and keeps the last snapshot.
 */
export class ZkBlacklistStore implements BlacklistStore {
  private mine: string | undefined;
  private writer = false;
  private listener: ((snapshot: BlacklistSnapshot) => void) | undefined;

  private constructor(
    private readonly session: ZkSession,
    private readonly path: string,
    private readonly id: string,
    private readonly log: Logger,
  ) {}

  static async open(config: ZookeeperConfig, path: string, id: string, log: Logger): Promise<ZkBlacklistStore> {
    const session = await ZkSession.open({ connect: config.connect, sessionTimeoutMs: config.sessionTimeoutMs }, log);
    const store = new ZkBlacklistStore(session, path, id, log);
    try {
      await store.join();
    } catch (error) {
      session.close();
      throw error;
    }
    session.onSession(() => store.join());
    return store;
  }

  writing(): boolean {
    return this.writer && this.session.state === 'connected';
  }

  async publish(snapshot: BlacklistSnapshot): Promise<void> {
    await this.session.set(`${this.path}/state`, Buffer.from(JSON.stringify(snapshot)));
  }

  onSnapshot(listener: (snapshot: BlacklistSnapshot) => void): void {
    this.listener = listener;
  }

  describe(): { store: 'zookeeper'; writer: boolean; state: string } {
    return { store: 'zookeeper', writer: this.writing(), state: this.session.state };
  }

  async close(): Promise<void> {
    this.session.close();
  }

  /** Enters the election with a node of this session, and reads (and watches) the snapshot. */
  private async join(): Promise<void> {
    const node = await this.session.create(`${this.path}/writers/w-`, Buffer.from(this.id), 'ephemeral-sequential');
    this.mine = node.slice(node.lastIndexOf('/') + 1);
    await this.elect();
    await this.readState();
  }

  private async elect(): Promise<void> {
    const rearm = (): void => void this.elect().catch((error: unknown) => this.warn('election', error));
    const nodes = (await this.session.children(`${this.path}/writers`, rearm)).sort();
    const writer = nodes[0] === this.mine;
    if (writer !== this.writer) this.log.info({ path: this.path, writer }, writer ? 'lag blacklist: this instance is the writer' : 'lag blacklist: another instance is the writer');
    this.writer = writer;
  }

  private async readState(): Promise<void> {
    const rearm = (): void => void this.readState().catch((error: unknown) => this.warn('reading the snapshot', error));
    const data = await this.session.get(`${this.path}/state`, rearm);
    if (data === undefined) return;
    let parsed: BlacklistSnapshot;
    try {
      parsed = blacklistSnapshotSchema.parse(JSON.parse(data.toString('utf8')));
    } catch (error) {
      this.log.warn({ path: `${this.path}/state`, err: errorMessage(error) }, 'lag blacklist: ignoring a snapshot that is not valid; the writer replaces it at its next computation');
      return;
    }
    this.listener?.(parsed);
  }

  private warn(what: string, error: unknown): void {
    if (this.session.state !== 'closed') this.log.warn({ path: this.path, err: errorMessage(error) }, `lag blacklist: ${what} failed (tried again with the next session)`);
  }
}
