import type { KindDefinition } from '../actors/kind.js';
import { supervisionSchema } from '../actors/supervision/schema.js';
import { channelSchema } from '../streams/overflow.js';
import { topologicalOrder } from '../topology/graph.js';
import type { NodeSpec, Topology } from '../topology/model.js';
import { retrySchema } from '../topology/node-schema.js';
import { subGraphIds, type Target } from './sub-graph.js';

/** Id of the stand-in source; never a valid actor id, so it cannot clash with one. */
export const TEST_INPUT_ID = '_input';
/** Id of the stand-in dead-letter sink. */
export const TEST_DEAD_LETTER_ID = '_deadletters';

/** The stand-in kinds a test topology is built with. */
export interface StandIns {
  input: KindDefinition;
  output: KindDefinition;
  deadLetter: KindDefinition;
}

/** Restart delays of a test run: a crashing stage is retried in milliseconds, not seconds. */
const testBackoff = { minMs: 1, maxMs: 10, jitter: 0 };

function standIn(id: string, kind: KindDefinition, inputs: string[], at: NodeSpec['at']): NodeSpec {
  return {
    id,
    role: kind.role,
    kind,
    config: {},
    inputs,
    replicas: 1,
    supervision: supervisionSchema.parse({}),
    channel: channelSchema.parse({}),
    retry: retrySchema.parse({}),
    at,
  };
}

/**
 * The topology a config unit test runs: the target's stages exactly as configured (kind,
 * settings, replicas, channel, retry; only restart delays are shortened), the first fed by a
 * stand-in source, and every actor reading a stage of the sub-graph from outside it replaced by a
 * stand-in sink of the same id, in the same file position, so partitioning stages see the
 * consumers they were configured with. Dead letters go to a stand-in dead-letter sink.
 *
 * @param dataDir - runtime state of the run (checkpoints), a fresh directory.
 * @throws Error when the target is not a path of the topology (checked when loading cases).
 */
export function testTopology(topology: Topology, target: Target, kinds: StandIns, dataDir: string): Topology {
  const members = new Set(subGraphIds(topology, target));
  if (members.size === 0) throw new Error(`"${target.to}" is not downstream of "${target.from}" in ${topology.file}`);
  const nodes: NodeSpec[] = [standIn(TEST_INPUT_ID, kinds.input, [], { line: 1, column: 1 })];
  for (const spec of topology.nodes) {
    if (members.has(spec.id)) {
      const inputs = spec.id === target.from ? [TEST_INPUT_ID] : spec.inputs.filter((i) => members.has(i));
      const backoff = { ...spec.supervision.backoff, ...testBackoff };
      nodes.push({ ...spec, inputs, supervision: { ...spec.supervision, backoff } });
      continue;
    }
    const fed = spec.inputs.filter((i) => members.has(i));
    if (fed.length > 0) nodes.push(standIn(spec.id, kinds.output, fed, spec.at));
  }
  nodes.push(standIn(TEST_DEAD_LETTER_ID, kinds.deadLetter, [], { line: 1, column: 1 }));
  return {
    file: topology.file,
    baseDir: topology.baseDir,
    name: `${topology.name}-test`,
    dataDir,
    ...(topology.transport ? { transport: topology.transport } : {}),
    nodes,
    order: topologicalOrder(nodes),
  };
}
