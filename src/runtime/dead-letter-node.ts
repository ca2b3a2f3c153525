import { join } from 'node:path';
import { deadletterConfig, deadletterKind } from '../kinds/deadletter.js';
import { supervisionSchema } from '../actors/supervision/schema.js';
import { channelSchema } from '../streams/overflow.js';
import type { NodeSpec, Topology } from '../topology/model.js';
import { retrySchema } from '../topology/node-schema.js';

/**
 * The topology's nodes plus its dead-letter sink: the one it declares (a sink whose kind takes no
 * inputs), or else one the runtime adds, writing `<dataDir>/deadletter.jsonl`.
 */
export function withDeadLetterSink(topology: Topology): { nodes: NodeSpec[]; deadLetterId: string } {
  const declared = topology.nodes.find((n) => n.kind.inputs === 'none');
  if (declared !== undefined) return { nodes: topology.nodes, deadLetterId: declared.id };
  let id = 'deadletter';
  while (topology.nodes.some((n) => n.id === id)) id = `_${id}`;
  const spec: NodeSpec = {
    id,
    role: 'sink',
    kind: deadletterKind,
    config: deadletterConfig.parse({ path: join(topology.dataDir, 'deadletter.jsonl') }),
    inputs: [],
    replicas: 1,
    supervision: supervisionSchema.parse({}),
    channel: channelSchema.parse({}),
    retry: retrySchema.parse({}),
    at: { line: 1, column: 1 },
  };
  return { nodes: [...topology.nodes, spec], deadLetterId: id };
}
