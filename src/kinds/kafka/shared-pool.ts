import type { LogProducer } from '../../transport/message-log.js';
import { ProducerPool, type PoolOptions } from './producer-pool.js';

/** A replica's hold on the pool of its sink actor. */
export interface PoolLease {
  readonly pool: ProducerPool;
  release(): Promise<void>;
}

interface Entry {
  ready: Promise<{ pool: ProducerPool; producers: LogProducer[] }>;
  refs: number;
}

const pools = new Map<string, Entry>();

async function build(makeProducers: () => LogProducer[], options: PoolOptions): Promise<{ pool: ProducerPool; producers: LogProducer[] }> {
  const producers = makeProducers();
  try {
    await Promise.all(producers.map((p) => p.connect()));
  } catch (error) {
    await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
    throw error;
  }
  const pool = new ProducerPool(producers, options);
  pool.start();
  return { pool, producers };
}

/**
 * The producer pool of one sink actor, shared by its replicas (`key` names the actor): concurrent
 * writes from several replicas fill the same stream queues, so `producers` counts per actor, not
 * per replica. A failed pool is replaced by the next replica that connects; each pool stops and
 * disconnects its producers when its last replica releases it.
 *
 * @example
 * const lease = await acquirePool(ctx.stateDir, () => [log.producer(opts), log.producer(opts)], poolOptions);
 * await lease.pool.write(parts);
 * await lease.release();
 */
export async function acquirePool(key: string, makeProducers: () => LogProducer[], options: PoolOptions): Promise<PoolLease> {
  let entry = pools.get(key);
  if (entry !== undefined) {
    const current = entry;
    const usable = await current.ready.then(
      (p) => !p.pool.failed,
      () => false,
    );
    if (!usable && pools.get(key) === current) pools.delete(key);
    entry = pools.get(key);
  }
  if (entry === undefined) {
    entry = { ready: build(makeProducers, options), refs: 0 };
    pools.set(key, entry);
  }
  const held = entry;
  held.refs += 1;
  let built: { pool: ProducerPool; producers: LogProducer[] };
  try {
    built = await held.ready;
  } catch (error) {
    held.refs -= 1;
    if (pools.get(key) === held) pools.delete(key);
    throw error;
  }
  let released = false;
  return {
    pool: built.pool,
    async release() {
      if (released) return;
      released = true;
      held.refs -= 1;
      if (held.refs > 0) return;
      if (pools.get(key) === held) pools.delete(key);
      await built.pool.stop();
      await Promise.all(built.producers.map((p) => p.disconnect().catch(() => undefined)));
    },
  };
}
