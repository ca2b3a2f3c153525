import type { Logger } from 'pino';
import { NotConnected } from '../../core/errors.js';
import type { Json } from '../../streams/record.js';
import { allocate, homeSlots, moves } from './allocation.js';
import { FileChanged, FileGone, FileRejected, type FileStore } from '../../stores/backend.js';
import type { ClusterConfig } from './config.js';
import { ClusterHealth } from './health.js';

interface Tracked {
  readonly config: ClusterConfig;
  readonly store: FileStore;
  readonly health: ClusterHealth;
  probe: NodeJS.Timeout | undefined;
}

/**
 * Decides which cluster each poller slot serves. Every request to a cluster goes through
 * {@link attempt}, which feeds the cluster's health; when a cluster turns unhealthy its slots move
 * to the healthy cluster of highest weight, and it is probed (a listing of its root) every
 * probeIntervalMs until it answers, when its slots come back. Each move is logged as a warning
 * with from, to, the slots and the reason.
 *
 * @example
 * const allocator = new PollerAllocator(clusters, log, () => wakePollers());
 * const files = await allocator.attempt('b', () => storeB.list(signal)); // a NotConnected here counts
 * allocator.serving(2); // 'a' once b has failed connectAttempts times in a row
 */
export class PollerAllocator {
  private readonly clusters = new Map<string, Tracked>();
  private readonly homes: string[];
  private assignment: string[];
  private moved = 0;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    clusters: readonly { config: ClusterConfig; store: FileStore }[],
    private readonly log: Logger,
    private readonly onChange: () => void,
  ) {
    for (const { config, store } of clusters)
      this.clusters.set(config.name, {
        config,
        store,
        health: new ClusterHealth(config),
        probe: undefined,
      });
    this.homes = homeSlots(clusters.map((c) => c.config));
    this.assignment = [...this.homes];
  }

  /** The cluster a slot serves now. */
  serving(slot: number): string {
    return this.assignment[slot] ?? this.home(slot);
  }

  /** The cluster a slot belongs to by config. */
  home(slot: number): string {
    const name = this.homes[slot];
    if (name === undefined)
      throw new Error(`no poller slot ${slot}: the node has ${this.homes.length}`);
    return name;
  }

  /** Runs a request against a cluster and feeds its outcome to the cluster's health. */
  async attempt<T>(cluster: string, request: () => Promise<T>): Promise<T> {
    const c = this.tracked(cluster);
    try {
      const result = await request();
      this.succeeded(c);
      return result;
    } catch (error) {
      if (error instanceof NotConnected) this.failed(c, error.message);
      // The cluster answered, about one file.
      else if (
        error instanceof FileGone ||
        error instanceof FileChanged ||
        error instanceof FileRejected
      )
        this.succeeded(c);
      throw error;
    }
  }

  /** Whether the last request to a cluster failed. */
  failing(cluster: string): boolean {
    return this.tracked(cluster).health.view().failures > 0;
  }

  /** Health and served slots of a cluster, for `status()`. */
  view(cluster: string): { [key: string]: Json } {
    return {
      ...this.tracked(cluster).health.view(),
      pollers: this.assignment.flatMap((name, s) => (name === cluster ? [s] : [])),
    };
  }

  /** Slot assignments and how many slot groups moved so far. */
  summary(): { [key: string]: Json } {
    return { assignment: [...this.assignment], reallocations: this.moved };
  }

  /** Stops the probes. */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
    for (const c of this.clusters.values()) clearTimeout(c.probe);
  }

  private tracked(name: string): Tracked {
    const c = this.clusters.get(name);
    if (c === undefined) throw new Error(`unknown cluster ${name}`);
    return c;
  }

  private succeeded(c: Tracked): void {
    if (c.health.success()) this.reallocate(`${c.config.name} is reachable again`);
  }

  private failed(c: Tracked, error: string): void {
    if (!c.health.failure(error)) return;
    this.reallocate(`${c.config.name} is unhealthy: ${error}`);
    this.scheduleProbe(c);
  }

  private scheduleProbe(c: Tracked): void {
    if (c.probe !== undefined || this.stopped) return;
    c.probe = setTimeout(() => {
      void c.store
        .probe(this.abort.signal)
        .then(
          () => this.succeeded(c),
          (error: unknown) => {
            if (error instanceof NotConnected) c.health.failure(error.message);
          },
        )
        .finally(() => {
          c.probe = undefined;
          if (!c.health.healthy) this.scheduleProbe(c);
        });
    }, c.config.probeIntervalMs);
  }

  private reallocate(reason: string): void {
    const after = allocate(
      [...this.clusters.values()].map((c) => ({ ...c.config, healthy: c.health.healthy })),
    );
    const changed = moves(this.assignment, after);
    this.assignment = after;
    for (const m of changed) {
      this.moved += 1;
      this.log.warn(
        { from: m.from, to: m.to, pollers: m.slots, reason },
        'hdfs pollers reallocated',
      );
    }
    this.onChange();
  }
}
