import { z } from 'zod';
import type { KindDefinition, Role } from '../actors/kind.js';
import { drainSchema } from './drain-schema.js';
import { transportSchema } from '../transport/schema.js';
import { coordinationSchema } from './coordination-schema.js';
import { sinkCommonShape, sourceCommonShape, stageCommonShape } from './node-schema.js';

/** Actor ids: unique across sources, stages and sinks. */
export const idPattern = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Top-level settings of a topology file, besides its sections. */
export const headerShape = {
  version: z.literal(1).default(1).describe('Version of the topology format.'),
  name: z
    .string()
    .min(1)
    .optional()
    .describe('Name of the pipeline; defaults to the file name without extension.'),
  dataDir: z
    .string()
    .min(1)
    .default('.millrace')
    .describe('Directory for runtime state (checkpoints, spill), relative to this file.'),
  plugins: z
    .array(z.string().min(1))
    .optional()
    .describe(
      'Modules whose exported kinds this topology may use: paths relative to this file (./my-kinds.mjs) or package names. Loaded before the actors are checked.',
    ),
  transport: transportSchema
    .optional()
    .describe(
      'Message log of kafka sources and sinks: embedded (default, under dataDir) or a Kafka cluster.',
    ),
  drain: drainSchema.optional(),
  coordination: coordinationSchema.optional(),
};

/** A section of the file and the role of the actors in it. */
export interface Section {
  key: 'sources' | 'stages' | 'sinks';
  role: Role;
  required: boolean;
  description: string;
}

/** The sections in the order they are read. */
export const sections: readonly Section[] = [
  {
    key: 'sources',
    role: 'source',
    required: true,
    description: 'Actors that read records from the outside, by id.',
  },
  {
    key: 'stages',
    role: 'stage',
    required: false,
    description: 'Actors that transform records, by id.',
  },
  {
    key: 'sinks',
    role: 'sink',
    required: true,
    description: 'Actors that write records out, by id.',
  },
];

/** The fields every actor of `role` has, besides its kind's own settings. */
export function commonShape(role: Role): z.core.$ZodShape {
  if (role === 'source') return sourceCommonShape;
  return role === 'stage' ? stageCommonShape : sinkCommonShape;
}

/** Whether actors of this kind take `inputs:`: sources and input-less sinks do not. */
export function takesInputs(kind: KindDefinition): boolean {
  return kind.role !== 'source' && kind.inputs !== 'none';
}

const cache = new WeakMap<KindDefinition, z.ZodObject>();

/**
 * The schema of one actor of `kind` as written in the file: the role's common fields and
 * the kind's settings side by side, `kind` fixed to its name, unknown keys rejected.
 * Input-less sinks (the dead-letter sink) have no `inputs` field.
 *
 * @throws Error when a kind's setting reuses the name of a common field (a kind bug).
 */
export function nodeSchema(kind: KindDefinition): z.ZodObject {
  const cached = cache.get(kind);
  if (cached) return cached;
  const common = Object.fromEntries(
    Object.entries(commonShape(kind.role)).filter(([key]) => key !== 'inputs' || takesInputs(kind)),
  );
  for (const key of Object.keys(kind.config.shape)) {
    if (key in common || key === 'inputs') {
      throw new Error(
        `${kind.role} kind "${kind.name}": setting "${key}" clashes with a field every ${kind.role} has`,
      );
    }
  }
  const schema = z
    .strictObject({
      ...common,
      kind: z.literal(kind.name).describe(kind.description),
      ...kind.config.shape,
    })
    .describe(kind.config.description ?? kind.description);
  cache.set(kind, schema);
  return schema;
}

/** The common fields of `role` with any other key allowed: checks actors of unknown kinds. */
export function commonSchema(role: Role): z.ZodObject {
  return z.looseObject({ ...commonShape(role), kind: z.string() });
}

/** The top level with sections left unchecked: they are checked actor by actor. */
export const headerSchema = z.strictObject({
  ...headerShape,
  sources: z.unknown().optional(),
  stages: z.unknown().optional(),
  sinks: z.unknown().optional(),
});
