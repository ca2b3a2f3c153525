import { join } from 'node:path';
import type { Json } from '../../../src/streams/record.js';
import { gatewaySourceKind } from '../../../src/kinds/gateway/source.js';
import type { KindDefinition } from '../../../src/actors/kind.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import type { TransportConfig } from '../../../src/transport/schema.js';
import { freePort } from '../../kit/free-port.js';
import { quietLog, topology } from '../../runtime/harness.js';
import { registryWith, transportClient, type Transport } from './client.js';

export interface RunningGateway {
  runtime: Runtime;
  port: number;
  client: Transport;
  /** The registry file (`StreamRegistry.open` it to change streams while running). */
  registryPath: string;
  /** The gateway source's status(): counters per stream and refusal kind. */
  status(): Record<string, Json>;
  stop(): Promise<void>;
}

/** A runtime of a gateway source (on a free port, its registry holding `streams`) feeding `sink`. */
export async function runGateway(options: {
  streams: Record<string, string>;
  sink: KindDefinition;
  sinkConfig?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  quotaRecordsPerSec?: number;
  transport?: TransportConfig;
}): Promise<RunningGateway> {
  const t = topology([
    { id: 'gw', role: 'source', kind: gatewaySourceKind },
    { id: 'out', role: 'sink', kind: options.sink, inputs: ['gw'], maxRecords: 20_000 },
  ]);
  const port = await freePort();
  const registryPath = join(t.baseDir, 'streams.db');
  await registryWith(registryPath, options.streams, options.quotaRecordsPerSec);
  const [gw, out] = t.nodes;
  if (gw === undefined || out === undefined) throw new Error('two nodes');
  gw.config = gatewaySourceKind.config.parse({ port, registry: { path: 'streams.db', reloadMs: 100 }, ...options.settings });
  out.config = options.sink.config.parse(options.sinkConfig ?? {}) as Record<string, unknown>;
  const runtime = new Runtime(options.transport === undefined ? t : { ...t, transport: options.transport }, { log: quietLog, drainTimeoutMs: 5000 });
  await runtime.start();
  const client = transportClient(port);
  return {
    runtime,
    port,
    client,
    registryPath,
    status: () => (runtime.nodes.get('gw')?.io[0]?.status?.() ?? {}) as Record<string, Json>,
    async stop() {
      client.close();
      await runtime.stop();
    },
  };
}
