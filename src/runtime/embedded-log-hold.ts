import { resolve } from 'node:path';
import type { Share } from '../core/shared-resources.js';
import type { Topology } from '../topology/model.js';
import { acquireEmbeddedLog } from '../transport/embedded-log-pool.js';
import type { TransportConfig } from '../transport/schema.js';

/** The topology's transport (the embedded log in `<dataDir>/log` by default), an embedded dir made absolute. */
export function topologyTransport(topology: Topology): TransportConfig {
  const transport = topology.transport ?? { type: 'embedded', dir: 'log' };
  return transport.type === 'embedded' ? { ...transport, dir: resolve(topology.dataDir, transport.dir) } : transport;
}

/**
 * Opens the embedded log that the topology's kafka sources and sinks share (those without a
 * `cluster` of their own), before any actor starts, and keeps it open until the returned release
 * is called. The actors then share this open log, given the same registry (`share`, the runtime's). A directory that another process holds thus
 * stops the run at once with {@link LogLocked} (the owner's pid in its message), instead of
 * every kafka actor restarting against the lock until its supervisor gives up. Does nothing for
 * a topology that does not use the embedded log.
 */
export async function holdEmbeddedLog(topology: Topology, share: Share): Promise<() => Promise<void>> {
  const transport = topologyTransport(topology);
  const uses = topology.nodes.some((n) => n.kind.name === 'kafka' && n.config.cluster === undefined);
  if (transport.type !== 'embedded' || !uses) return async () => undefined;
  const lease = await acquireEmbeddedLog(transport.dir, share);
  return () => lease.release();
}
