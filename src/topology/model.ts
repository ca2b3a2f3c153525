import type { KindDefinition, Role } from '../actors/kind.js';
import type { SupervisionConfig } from '../actors/supervision/schema.js';
import type { ChannelConfig } from '../streams/overflow.js';
import type { CoordinationConfig } from './coordination-schema.js';
import type { DrainConfig } from './drain-schema.js';
import type { TransportConfig } from '../transport/schema.js';
import type { TopologyError } from './errors.js';
import type { RetryConfig } from './node-schema.js';
import type { Position } from './source-map.js';

/** One actor of a loaded topology, every default applied. */
export interface NodeSpec {
  id: string;
  role: Role;
  kind: KindDefinition;
  /** The kind's own settings only, as its `config` schema outputs them (defaults applied). */
  config: Record<string, unknown>;
  /** Ids of the sources and stages feeding this actor, as written; empty for sources. */
  inputs: string[];
  /** The replicas that run: the kind's `replicasFor` where it has one, else `replicas` (1). */
  replicas: number;
  supervision: SupervisionConfig;
  /** Input channel bounds; sources get the defaults too. */
  channel: ChannelConfig;
  retry: RetryConfig;
  /** `thread`: each replica runs its kind in a worker thread (stages and sinks); absent or `none`: on the main thread. */
  isolation?: 'none' | 'thread';
  /** Position of the actor's id in the file. */
  at: Position;
}

/** A validated topology, ready to build. */
export interface Topology {
  /** Absolute path of the topology file. */
  file: string;
  /** Directory of the topology file: relative paths in configs resolve against it. */
  baseDir: string;
  name: string;
  /** Absolute directory for runtime state. */
  dataDir: string;
  /** Message log of kafka sources and sinks; absent means the embedded log under dataDir. */
  transport?: TransportConfig;
  /** How a stop drains; absent means the defaults (progress every 5 s, no deadline). */
  drain?: DrainConfig;
  /** Where the processes running this topology find each other; absent: this process alone. */
  coordination?: CoordinationConfig;
  /** Actors in file order: sources, then stages, then sinks. */
  nodes: NodeSpec[];
  /**
   * Ids in topological order: sources first, every actor after all of its inputs, and sinks
   * without inputs (the dead-letter sink) last. Start in reverse, stop in this order.
   */
  order: string[];
}

/** What loading a topology gives: the topology, or every error found. */
export type LoadResult = { ok: true; topology: Topology } | { ok: false; errors: TopologyError[] };

/**
 * The actors that list `id` among their inputs, in file order.
 *
 * @example
 * consumersOf(topology, 'gen').map((n) => n.id); // ['upper']
 */
export function consumersOf(topology: Topology, id: string): NodeSpec[] {
  return topology.nodes.filter((node) => node.inputs.includes(id));
}

/** The actor with this id, if any. */
export function nodeById(topology: Topology, id: string): NodeSpec | undefined {
  return topology.nodes.find((node) => node.id === id);
}
