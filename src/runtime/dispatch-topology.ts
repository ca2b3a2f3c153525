import { join, resolve } from 'node:path';
import type { RegisteredStream } from '../db/stream-definition.js';
import { formatTopologyErrors } from '../topology/errors.js';
import { parseTopology } from '../topology/load.js';
import type { Topology } from '../topology/model.js';
import { sinkKinds, sourceEncodings } from './dispatch-sinks.js';

/** Kafka brokers of each cluster name a stream may name (`cluster` in the registry). */
export type Clusters = ReadonlyMap<string, readonly string[]>;

export interface DispatchTopologyOptions {
  /** Directory holding each job's state (`<dir>/<stream>/`); relative sink paths resolve against it. */
  dataDir: string;
  clusters: Clusters;
  /** Read each partition up to its end offset at start, then end (a backfill), instead of following. */
  once: boolean;
}

/** Node id of the stream's projection/filter module in its job. */
export const MODULE_NODE = 'module';

/** The absolute file of a stream's module (a relative path is taken from the dispatcher's working directory). */
export const modulePath = (module: NonNullable<RegisteredStream['module']>): string => resolve(module.path);

/** The consumer group every dispatcher shares for one stream. */
export const dispatchGroup = (stream: string): string => `millrace-dispatch-${stream}`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The node id of a stream's sink entry: its `id`, else `<type>-<index>`. */
export function sinkId(entry: unknown, index: number): string {
  const { type, id } = isRecord(entry) ? entry : {};
  return typeof id === 'string' ? id : `${String(type)}-${index}`;
}

/** One sink entry of the registry as a topology sink; a string says what is wrong with it. */
function sinkNode(entry: unknown, index: number, input: string): [string, Record<string, unknown>] | string {
  const where = `sinks[${index}]`;
  if (!isRecord(entry)) return `${where}: expected an object { type, id?, ...settings }`;
  const { type, id, ...settings } = entry;
  const kind = typeof type === 'string' ? sinkKinds[type] : undefined;
  if (kind === undefined) return `${where}.type: expected one of ${Object.keys(sinkKinds).join(', ')}, found ${JSON.stringify(type)}`;
  if (id !== undefined && typeof id !== 'string') return `${where}.id: expected a string`;
  if (id === MODULE_NODE) return `${where}.id: "${MODULE_NODE}" is the stream module's node; give the sink another id`;
  return [sinkId(entry, index), { kind, inputs: [input], ...settings }];
}

/**
 * The dispatch job of one stream as a topology: a kafka source of the stream's topic in the group
 * {@link dispatchGroup} -> its module (a map stage), when it has one -> each sink of its `sinks`. Built as text and checked like a topology
 * file, so a bad setting is reported as the kind reports it. Throws with every problem found.
 */
export function dispatchTopology(stream: RegisteredStream, options: DispatchTopologyOptions): Topology {
  const brokers = options.clusters.get(stream.cluster);
  if (brokers === undefined)
    throw new Error(`stream ${stream.id}: unknown cluster "${stream.cluster}"; give its brokers with --cluster ${stream.cluster}=host:port`);
  const sinks = stream.sinks.map((entry, index) => sinkNode(entry, index, stream.module === null ? 'source' : MODULE_NODE));
  const problems = sinks.filter((s): s is string => typeof s === 'string');
  if (sinks.length === 0) problems.push('sinks: the stream has no sinks to dispatch to');
  if (problems.length > 0) throw new Error(`stream ${stream.id}: ${problems.join('; ')}`);
  const document = {
    name: `dispatch-${stream.id}`,
    dataDir: stream.id,
    transport: { type: 'kafka', brokers, clientId: `millrace-dispatch-${stream.id}` },
    sources: {
      source: {
        kind: 'kafka',
        group: dispatchGroup(stream.id),
        topics: [stream.topic],
        encoding: sourceEncodings[stream.format],
        until: options.once ? 'end' : 'never',
      },
    },
    ...(stream.module === null ? {} : { stages: { [MODULE_NODE]: { kind: 'map', inputs: ['source'], module: modulePath(stream.module), export: stream.module.export } } }),
    sinks: Object.fromEntries(sinks as [string, Record<string, unknown>][]),
  };
  // No environment: `${...}` in registry settings must not read the dispatcher's variables.
  const result = parseTopology(JSON.stringify(document, null, 1), join(options.dataDir, `${stream.id}.dispatch.yaml`), {});
  if (!result.ok) throw new Error(`stream ${stream.id}: invalid dispatch job:\n${formatTopologyErrors(result.errors)}`);
  return result.topology;
}
