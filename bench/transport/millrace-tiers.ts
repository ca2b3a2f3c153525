/**
 * millrace's tiered collection as a user runs it (`millrace run`, the `npm run topology` flags):
 *   agent (one process per host):  file tail -> map (stream id from the file name) -> agent sink
 *   gateway (one process):         gateway source -> kafka sink (topic per stream, acks=all, LZ4)
 * The agent sink sends LZ4 batches over gRPC and takes a batch as delivered on the gateway's ack,
 * which is sent once Kafka has the batch; its spill queue is on but only written while the
 * gateway cannot take batches (the tailed file is the buffer: positions are committed on acks).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { StreamRegistry } from '../../src/db/stream-registry.js';
import { compiledCli } from '../compiled-cli.js';
import { REPO_ROOT } from '../peers/job.js';
import { startTiers, type TiersPlan } from './plan.js';
import { topologyFlags } from '../topology-flags.js';

const TOKEN = 'transport-bench-token-0123456789';
const STREAM_FROM_FILE = join(REPO_ROOT, 'bench/modules/stream-from-file.mjs');

function topology(plan: TiersPlan, name: string, body: object): string {
  const file = join(plan.dir, `${name}.yaml`);
  writeFileSync(file, stringify({ name, dataDir: join(plan.dir, `${name}-data`), ...body }));
  return file;
}

const run = (file: string): string[] => [process.execPath, ...topologyFlags, compiledCli(), 'run', file];

/** Registers every stream of the plan (id -> topic, one token) in the gateway's SQLite registry. */
export async function registerStreams(plan: TiersPlan): Promise<void> {
  const registry = await StreamRegistry.open({ path: join(plan.dir, 'streams.db') });
  try {
    for (const s of plan.agents.flat()) await registry.add({ id: s.id, topic: s.topic }, TOKEN);
  } finally {
    await registry.close();
  }
}

/** Starts the gateway and the agents of a plan whose streams registerStreams has registered. */
export function millraceTiers(plan: TiersPlan) {
  const gateway = topology(plan, 'gateway', {
    transport: { type: 'kafka', brokers: plan.brokers },
    sources: { agents: { kind: 'gateway', port: plan.port, registry: { path: join(plan.dir, 'streams.db') } } },
    sinks: { topics: { kind: 'kafka', inputs: ['agents'], topic: '{stream}', acks: 'all', compression: 'lz4', encoding: 'raw' } },
  });
  const agents = plan.agents.map((streams, i) =>
    topology(plan, `agent-${i}`, {
      sources: { files: { kind: 'file', mode: 'tail', paths: streams.map((s) => s.file), headers: ['file'] } },
      stages: { streams: { kind: 'map', inputs: ['files'], module: STREAM_FROM_FILE } },
      sinks: { gateway: { kind: 'agent', inputs: ['streams'], gateways: [`127.0.0.1:${plan.port}`], token: TOKEN } },
    }),
  );
  return startTiers(plan, run(gateway), agents.map(run));
}
