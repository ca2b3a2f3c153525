import { z } from 'zod';
import {
  defineSink,
  defineSource,
  defineStage,
  type KindDefinition,
} from '../../src/actors/kind.js';
import type { KindRegistry } from '../../src/topology/kind-registry.js';

const notBuilt = (): never => {
  throw new Error('test kinds are never built');
};

/** A source kind for loader tests, shaped like the real generator but fixed here. */
export const testGenerator = defineSource({
  name: 'generator',
  description: 'Synthetic records.',
  config: z.strictObject({
    count: z.number().int().nonnegative().optional().describe('Records to emit in all.'),
    rate: z.number().nonnegative().default(0).describe('Records per second; 0 for unlimited.'),
    batchSize: z.number().int().positive().default(500).describe('Records per batch.'),
    stream: z.string().optional().describe('Stream id stamped on every record.'),
  }),
  create: notBuilt,
});

/** A stage kind for loader tests: nothing registered globally. */
export const testMap = defineStage({
  name: 'map',
  description: 'Applies a function to each record.',
  config: z.strictObject({
    module: z.string().min(1).describe('Module exporting the function.'),
    concurrency: z.number().int().positive().default(4).describe('Batches in flight.'),
  }),
  create: notBuilt,
});

/** A sink kind with a boolean, for interpolation tests. */
export const testFile = defineSink({
  name: 'file',
  description: 'Appends records to a file.',
  config: z.strictObject({
    path: z.string().min(1).describe('File to append to.'),
    append: z.boolean().default(true).describe('Append instead of truncating.'),
  }),
  create: notBuilt,
});

/** An input-less sink, like the real dead-letter sink. */
export const testDeadletter = defineSink({
  name: 'deadletter',
  description: 'Receives dead-lettered batches.',
  inputs: 'none',
  config: z.strictObject({
    path: z.string().default('dead.jsonl').describe('Where dead letters go.'),
  }),
  create: notBuilt,
});

/** A registry of the given kinds. */
export function registryOf(kinds: readonly KindDefinition[]): KindRegistry {
  return {
    findKind: (role, name) => kinds.find((k) => k.role === role && k.name === name),
    kindNames: (role) => kinds.filter((k) => k.role === role).map((k) => k.name),
  };
}

/** generator, map, file and deadletter. */
export const testRegistry = registryOf([testGenerator, testMap, testFile, testDeadletter]);
