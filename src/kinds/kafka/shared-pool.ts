import type { Share, SharedLease } from '../../core/shared-resources.js';
import type { LogProducer } from '../../transport/message-log.js';
import type { SlowPartitions } from '../../transport/slow-partitions.js';
import { ProducerPool, type PoolOptions } from './producer-pool.js';

/** Producers for a pool, and the partition placement they share (Kafka only). */
export interface PoolProducers {
  readonly producers: readonly LogProducer[];
  readonly placement?: SlowPartitions;
}

/** A started pool and the producers it owns (disconnected when it closes). */
export interface OpenPool extends PoolProducers {
  readonly pool: ProducerPool;
}

/** A replica's hold on the pool of its sink actor. */
export type PoolLease = SharedLease<OpenPool>;

async function build(makeProducers: () => PoolProducers, options: PoolOptions): Promise<OpenPool> {
  const { producers, placement } = makeProducers();
  try {
    await Promise.all(producers.map((p) => p.connect()));
  } catch (error) {
    await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
    throw error;
  }
  const pool = new ProducerPool(producers, options);
  pool.start();
  return { pool, producers, placement };
}

async function stop({ pool, producers }: OpenPool): Promise<void> {
  await pool.stop();
  await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
}

/**
 * The producer pool of one sink actor, shared by its replicas through `share` (`key` names the
 * actor): concurrent writes from several replicas fill the same stream queues, so `producers`
 * counts per actor, not per replica. A failed pool is replaced by the next replica that connects;
 * each pool stops and disconnects its producers when its last replica releases it.
 *
 * @example
 * const lease = await acquirePool(ctx.shared, ctx.stateDir, () => ({ producers: [log.producer(opts), log.producer(opts)] }), poolOptions);
 * await lease.resource.pool.write(parts);
 * await lease.release();
 */
export function acquirePool(share: Share, key: string, makeProducers: () => PoolProducers, options: PoolOptions): Promise<PoolLease> {
  return share(`kafka-producer-pool:${key}`, () => build(makeProducers, options), stop, { usable: (open) => !open.pool.failed });
}
