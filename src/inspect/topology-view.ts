import type { Runtime } from '../runtime/runtime.js';
import type { Json } from '../streams/record.js';
import { layeredLayout } from './layout.js';
import type { TopologyNodeView, TopologyView } from './types.js';

const secretKey = /pass(word|phrase)?|secret|token|credential|api[-_]?key|private[-_]?key|auth/i;

/**
 * A config as JSON with the values of secret-looking keys (password, token, secret, apiKey,
 * credentials, auth...) replaced by `"***"`: the inspector is read-only but may be shared.
 *
 * @example
 * redactConfig({ host: 'db', password: 'hunter2' }); // { host: 'db', password: '***' }
 */
export function redactConfig(config: Record<string, unknown>): { [key: string]: Json } {
  const text = JSON.stringify(config, (key, value: unknown) => (key !== '' && secretKey.test(key) && value !== undefined && value !== null ? '***' : value));
  return JSON.parse(text ?? '{}') as { [key: string]: Json };
}

/** The running topology as a graph (the runtime's nodes, including its dead-letter sink) with a layout. */
export function topologyView(runtime: Runtime): TopologyView {
  const nodes: TopologyNodeView[] = [...runtime.nodes.values()].map(({ spec }) => ({
    id: spec.id,
    kind: spec.kind.name,
    role: spec.role,
    replicas: spec.replicas,
    inputs: [...spec.inputs],
    config: redactConfig(spec.config),
    channel: { maxRecords: spec.channel.maxRecords, maxBytes: spec.channel.maxBytes, overflow: spec.channel.overflow },
    supervision: JSON.parse(JSON.stringify(spec.supervision)) as Json,
    deadLetter: spec.kind.inputs === 'none',
  }));
  const edges = nodes.flatMap((n) => n.inputs.map((from) => ({ from, to: n.id })));
  const layout = layeredLayout(
    nodes.map((n) => n.id),
    edges,
    { nodeWidth: 196, nodeHeight: 84, layerGap: 84, nodeGap: 30 },
  );
  return { name: runtime.topology.name, file: runtime.topology.file, nodes, edges, layout };
}
