import type { Share } from '../../core/shared-resources.js';
import type { PoolOptions, StreamPart } from './producer-pool.js';
import { acquirePool, type PoolLease, type PoolProducers } from './shared-pool.js';

/**
 * The producer pool of one cluster, (re)built on demand: a pool that failed (the cluster was
 * unreachable for deliveryTimeoutMs) is replaced by the next write, which connects again.
 */
export class ClusterLane {
  private lease: PoolLease | undefined;
  private opening: Promise<PoolLease> | undefined;

  constructor(
    private readonly share: Share,
    private readonly key: string,
    private readonly make: () => PoolProducers,
    private readonly options: PoolOptions,
  ) {}

  get current(): PoolLease | undefined {
    return this.lease;
  }

  /** A usable pool: the one held, or a new one (rejects as NotConnected when the cluster cannot be reached). */
  async open(): Promise<PoolLease> {
    if (this.lease !== undefined && !this.lease.resource.pool.failed) return this.lease;
    this.opening ??= (async () => {
      await this.lease?.release();
      this.lease = undefined;
      this.lease = await acquirePool(this.share, this.key, this.make, this.options);
      return this.lease;
    })().finally(() => (this.opening = undefined));
    return this.opening;
  }

  async write(parts: readonly StreamPart[]): Promise<void> {
    await (await this.open()).resource.pool.write(parts);
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => undefined);
    await this.lease?.release();
    this.lease = undefined;
  }
}
