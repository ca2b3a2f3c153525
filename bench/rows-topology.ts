import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { defineSource, type KindDefinition } from '../src/actors/kind.js';
import { supervisionSchema } from '../src/actors/supervision/schema.js';
import { EndOfInput } from '../src/core/errors.js';
import { channelSchema, type ChannelConfig } from '../src/streams/overflow.js';
import type { LogRecord } from '../src/streams/record.js';
import { topologicalOrder } from '../src/topology/graph.js';
import type { NodeSpec, Topology } from '../src/topology/model.js';
import { retrySchema } from '../src/topology/node-schema.js';

/** The sink a {@link rowsToSink} topology feeds, and how. */
export interface BenchSink {
  id: string;
  kind: KindDefinition;
  config: Record<string, unknown>;
  replicas?: number;
  channel: Partial<ChannelConfig>;
}

/**
 * A topology in a fresh data directory: a source reading `rows` from memory in batches of
 * `batchSize` (with per-record positions, stream `bench`, when `positions`) → `sink`.
 */
export function rowsToSink(rows: readonly LogRecord[], batchSize: number, sink: BenchSink, positions = false): Topology {
  const dataDir = mkdtempSync(join(tmpdir(), 'millrace-bench-'));
  const source = defineSource({
    name: 'rows',
    description: 'bench rows from memory',
    config: z.strictObject({}),
    create() {
      let next = 0;
      return {
        async connect() {},
        async read() {
          if (next >= rows.length) throw new EndOfInput();
          const batch = rows.slice(next, next + batchSize);
          const start = next;
          next += batch.length;
          const origin = positions ? { origin: { stream: 'bench', start, end: next, positions: batch.map((_, i) => start + i + 1) } } : {};
          return { records: batch, position: next, label: `rows@${next}`, ...origin };
        },
        commit() {},
        async close() {},
      };
    },
  });
  const node = (id: string, spec: Partial<NodeSpec>): NodeSpec => ({
    id,
    role: 'source',
    kind: source,
    config: {},
    inputs: [],
    replicas: 1,
    supervision: supervisionSchema.parse({}),
    channel: channelSchema.parse(sink.channel),
    retry: retrySchema.parse({}),
    at: { line: 1, column: 1 },
    ...spec,
  });
  const nodes = [node('src', {}), node(sink.id, { role: 'sink', kind: sink.kind, config: sink.config, inputs: ['src'], replicas: sink.replicas ?? 1 })];
  return { file: join(dataDir, 'topology.yaml'), baseDir: dataDir, name: 'bench', dataDir, nodes, order: topologicalOrder(nodes) };
}
