/**
 * The topology loader: `topology.yaml` in, a validated {@link Topology} or every error out.
 *
 * @example
 * import { formatTopologyErrors, loadTopology } from './topology/index.js';
 * const result = await loadTopology('topology.yaml');
 * if (!result.ok) throw new Error(formatTopologyErrors(result.errors));
 */
export { formatTopologyError, formatTopologyErrors, type TopologyError } from './errors.js';
export { findCycles, toDot, toMermaid, topologicalOrder } from './graph.js';
export { interpolate, type Env } from './interpolate.js';
export { topologyJsonSchema, topologyJsonSchemaText } from './json-schema.js';
export { defaultRegistry, type KindRegistry } from './kind-registry.js';
export { loadTopology, parseTopology } from './load.js';
export { consumersOf, nodeById, type LoadResult, type NodeSpec, type Topology } from './model.js';
