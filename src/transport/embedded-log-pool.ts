import { resolve } from 'node:path';
import type { Share, SharedLease } from '../core/shared-resources.js';
import { EmbeddedLog } from '../log/index.js';

/** A shared handle on an open embedded log; release it when done. */
export type EmbeddedLogLease = SharedLease<EmbeddedLog>;

/**
 * The embedded log in `dir`, opened once per registry (`share`: an actor's `ctx.shared`, or
 * `new SharedResources().acquire` outside a runtime) and shared: the log takes a single-writer
 * lock on its directory, and a topology's kafka sinks and sources (and their replicas) all use
 * the same one. The log is closed when the last lease is released.
 *
 * @example
 * const lease = await acquireEmbeddedLog('/var/lib/millrace/log', ctx.shared);
 * await lease.resource.append('events', 0, records);
 * await lease.release();
 */
export function acquireEmbeddedLog(dir: string, share: Share): Promise<EmbeddedLogLease> {
  const key = resolve(dir);
  return share(
    `embedded-log:${key}`,
    () => EmbeddedLog.open({ dir: key }),
    (log) => log.close(),
  );
}
