import type { Logger } from 'pino';
import type { Share, SharedLease } from '../../core/shared-resources.js';
import type { Json } from '../../streams/record.js';
import { PollerAllocator } from './allocator.js';
import type { FileEntry, FileStore } from '../../stores/backend.js';
import type { Claim, ClaimStore } from './claim-store.js';
import { ClaimTable } from './claims.js';
import { SharedClaims } from './shared-claims.js';
import type { ClusterConfig, HdfsConfig } from './config.js';
import { openStore } from '../../stores/open-store.js';
import { EitherSignal } from '../../core/either-signal.js';

/** One cluster as the coordinator tracks it. */
interface ClusterState {
  readonly config: ClusterConfig;
  readonly store: FileStore;
  /** Files of the last listing not yet claimed, oldest first. */
  pending: FileEntry[];
  listing: Promise<void> | undefined;
  listedOnce: boolean;
  lastListAt: number;
  /** Files the last listing left for later because they were younger than minAgeMs. */
  young: number;
  /**
   * Files of the last listing not done that another process held (at the listing or when claimed),
   * or that could not be checked: without watch, the cluster is listed again until none are left.
   */
  waiting: number;
  done: number;
  rejected: number;
}

/** One replica's hold on its node's {@link Coordinator}. */
export type CoordinatorLease = SharedLease<Coordinator>;

/**
 * The shared brain of one `hdfs` node's pollers in this process: which cluster each poller slot
 * serves, the health of every cluster, the pending files of each cluster's last listing and the
 * claims: a {@link ClaimTable} of this process, or {@link SharedClaims} with every process
 * running the topology when `coordination` is configured. Each cluster is listed by one poller at a time (at most every pollIntervalMs in
 * watch mode), so pollers of a cluster wait only on that cluster. Every request goes through the
 * {@link PollerAllocator}, which moves the slots of an unhealthy cluster and brings them back.
 * Obtain it with {@link Coordinator.acquire}.
 *
 * @example
 * const lease = await Coordinator.acquire(config, ctx); // one instance per node
 * const claim = await lease.resource.take(lease.resource.serving(ctx.replica), ctx.replica, ctx.signal);
 * await lease.release(); // the last release closes the progress database
 */
/** A file that will not be loaded, waiting to be dead-lettered by a poller. */
export interface Rejection {
  file: string;
  cluster: string;
  entry: FileEntry;
  reason: string;
}

export class Coordinator {
  private readonly clusters = new Map<string, ClusterState>();
  private readonly allocator: PollerAllocator;
  private readonly claims: ClaimStore;
  private readonly waiters = new Set<() => void>();
  private readonly abort = new AbortController();
  private readonly abortOr = new EitherSignal(this.abort.signal);
  private readonly rejections: Rejection[] = [];

  private constructor(
    private readonly config: HdfsConfig,
    stateDir: string,
    baseDir: string,
    private readonly log: Logger,
  ) {
    this.claims =
      config.coordination === undefined
        ? new ClaimTable(stateDir)
        : new SharedClaims(config.coordination, log);
    for (const c of config.clusters) {
      const state: ClusterState = {
        config: c,
        store: openStore(c.backend, { paths: c.paths, ignore: c.ignore }, baseDir),
        pending: [],
        listing: undefined,
        listedOnce: false,
        lastListAt: Number.NEGATIVE_INFINITY,
        young: 0,
        waiting: 0,
        done: 0,
        rejected: 0,
      };
      this.clusters.set(c.name, state);
    }
    this.allocator = new PollerAllocator([...this.clusters.values()], log, () => this.notify());
  }

  /**
   * The coordinator of the node whose state lives in `ctx.stateDir`, shared through
   * `ctx.shared` and created by the first replica; the lease's `release` (idempotent) gives it
   * up, and the last release stops the probes and closes the progress database.
   */
  static acquire(
    config: HdfsConfig,
    ctx: { stateDir: string; baseDir: string; log: Logger; shared: Share },
  ): Promise<CoordinatorLease> {
    return ctx.shared(
      `hdfs-coordinator:${ctx.stateDir}`,
      () => new Coordinator(config, ctx.stateDir, ctx.baseDir, ctx.log),
      (coordinator) => coordinator.dispose(),
    );
  }

  private async dispose(): Promise<void> {
    this.abort.abort();
    this.allocator.stop();
    this.notify();
    await this.claims.close();
  }

  /** The cluster a poller slot serves now. */
  serving(slot: number): string {
    return this.allocator.serving(slot);
  }

  /**
   * A poller's connect: when the cluster's last request failed, checks that it answers now,
   * counting the attempt toward its health (so reconnects back off). Otherwise it returns at
   * once: a first connect never waits on the network, so a hung cluster cannot hold up the
   * start of the pollers of the others.
   */
  async connect(cluster: string, signal: AbortSignal): Promise<void> {
    const c = this.cluster(cluster);
    if (!this.allocator.failing(cluster)) return;
    await this.allocator.attempt(cluster, () =>
      c.store.probe(this.abortOr.with(signal)),
    );
  }

  /**
   * Claims the next file of `cluster` for `slot`, listing the cluster first when a listing is due;
   * `undefined` when there is nothing to take now. Throws NotConnected when the listing fails.
   */
  async take(cluster: string, slot: number, signal: AbortSignal): Promise<Claim | undefined> {
    const c = this.cluster(cluster);
    for (;;) {
      if (signal.aborted || this.abort.signal.aborted) return undefined;
      while (c.pending.length > 0) {
        const claim = await this.claims.claim(cluster, c.pending.shift() as FileEntry, slot);
        if (claim !== undefined) return claim;
        // Taken since the listing (by another process): a later listing shows whether it got done.
        c.waiting += 1;
      }
      if (this.dueInMs(c) > 0) return undefined;
      c.listing ??= this.list(c).finally(() => (c.listing = undefined));
      await c.listing;
    }
  }

  /** Reads a claimed file, counting the attempt toward its cluster's health. */
  async fetch(claim: Claim, signal: AbortSignal): Promise<Uint8Array> {
    const c = this.cluster(claim.cluster);
    return this.allocator.attempt(claim.cluster, () =>
      c.store.read(claim.entry, this.abortOr.with(signal)),
    );
  }

  /**
   * Gives a claim up: `next` puts the file back at the head of its cluster's queue (its poller
   * stopped), `later` at the tail (its read failed: other files go first, so one unreadable file
   * does not hold up the rest), `drop` leaves it to the next listing.
   */
  async unclaim(claim: Claim, requeue: 'next' | 'later' | 'drop'): Promise<void> {
    const pending = this.clusters.get(claim.cluster)?.pending;
    if (requeue === 'next') pending?.unshift(claim.entry);
    else if (requeue === 'later') pending?.push(claim.entry);
    await this.claims.release(claim);
    this.notify();
  }

  /** Whether this process still holds `claim`, by the claim store itself (a shared claim's lease may have lapsed). */
  confirm(claim: Claim): Promise<boolean> {
    return this.claims.confirm(claim);
  }

  /** Marks claims done durably (every record of them is acknowledged downstream). */
  async complete(claims: readonly Claim[]): Promise<void> {
    if (claims.length === 0 || this.abort.signal.aborted) return;
    for (const claim of await this.claims.complete(claims)) this.cluster(claim.cluster).done += 1;
    this.notify();
  }

  /** Records a claimed file that is never to be loaded as it is, with the reason. */
  async reject(claim: Claim, reason: string): Promise<void> {
    if (this.abort.signal.aborted) return;
    const { cluster, entry, file } = claim;
    await this.claims.reject(claim, reason);
    this.cluster(cluster).rejected += 1;
    this.rejections.push({ file, cluster, entry, reason });
    this.log.error({ file, size: entry.size, reason }, 'file rejected: it will not be read unless it changes');
    this.notify();
  }

  /** Rejected files not yet handed to a poller for the dead-letter sink (all of them, once). */
  takeRejections(): Rejection[] {
    return this.rejections.splice(0);
  }

  /** Without watch: every cluster listed, nothing left to take, nothing in flight. */
  finished(): boolean {
    for (const c of this.clusters.values()) {
      if (
        !c.listedOnce ||
        c.young > 0 ||
        c.waiting > 0 ||
        c.pending.length > 0 ||
        this.claims.inFlightFor(c.config.name) > 0
      )
        return false;
    }
    return true;
  }

  /** Milliseconds until `cluster` may be listed again (0: now). */
  dueIn(cluster: string): number {
    return this.dueInMs(this.cluster(cluster));
  }

  /** Resolves after `ms`, or sooner when files, claims or the allocation change, or `signal` aborts. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((done) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        done();
      };
      const timer = setTimeout(wake, Math.min(ms, 2 ** 31 - 1));
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  /** The live view for `status()`: allocation, health and file counts per cluster, latest rejections. */
  status(slot: number): { [key: string]: Json } {
    const clusters: Json[] = [...this.clusters.values()].map((c) => ({
      name: c.config.name,
      where: c.store.where,
      ...this.allocator.view(c.config.name),
      pending: c.pending.length,
      inFlight: this.claims.inFlightFor(c.config.name),
      waiting: c.waiting,
      done: c.done,
      rejected: c.rejected,
    }));
    const recentRejections: Json[] = this.abort.signal.aborted ? [] : this.claims.rejected(10);
    const claims = this.claims.view();
    return {
      poller: slot,
      home: this.allocator.home(slot),
      serving: this.serving(slot),
      ...this.allocator.summary(),
      clusters,
      claims,
      // Read by the cluster view (inspector, top --cluster) to show the process as degraded.
      degraded: claims.degraded === true,
      recentRejections,
    };
  }

  private cluster(name: string): ClusterState {
    const c = this.clusters.get(name);
    if (c === undefined) throw new Error(`unknown cluster ${name}`);
    return c;
  }

  private dueInMs(c: ClusterState): number {
    if (!c.listedOnce) return 0;
    if (!this.config.watch && c.young === 0 && c.waiting === 0) return Number.POSITIVE_INFINITY;
    return Math.max(0, c.lastListAt + this.config.pollIntervalMs - Date.now());
  }

  private async list(c: ClusterState): Promise<void> {
    const entries = await this.allocator.attempt(c.config.name, () =>
      c.store.list(this.abort.signal),
    );
    // Disposed while listing: the claim table is closed.
    this.abort.signal.throwIfAborted();
    const { free, waiting } = await this.claims.candidates(c.config.name, entries);
    this.abort.signal.throwIfAborted();
    const now = Date.now();
    const fresh: FileEntry[] = [];
    let young = 0;
    for (const e of free) {
      if (now - e.mtime < this.config.minAgeMs) young += 1;
      else if (e.size > this.config.maxFileBytes) await this.rejectUnread(c.config.name, e);
      else fresh.push(e);
    }
    fresh.sort((x, y) => x.mtime - y.mtime || (x.path < y.path ? -1 : 1));
    c.pending = fresh;
    c.young = young;
    c.waiting = waiting;
    c.listedOnce = true;
    c.lastListAt = now;
    this.notify();
  }

  /** Claims a file too large to load and rejects it (unless another poller or process took it). */
  private async rejectUnread(cluster: string, e: FileEntry): Promise<void> {
    const claim = await this.claims.claim(cluster, e, -1);
    if (claim !== undefined) {
      await this.reject(claim, `${e.size} bytes exceed maxFileBytes (${this.config.maxFileBytes})`);
    }
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
