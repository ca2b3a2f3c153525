import { z } from 'zod';
import type { KindDefinition } from '../actors/kind.js';
import { kindExample } from './kind-example.js';
import { defaultRegistry, type KindRegistry } from './kind-registry.js';
import { headerShape, idPattern, nodeSchema, sections, type Section } from './schema.js';

function sectionSchema(section: Section, registry: KindRegistry): z.ZodType {
  const kinds = registry
    .kindNames(section.role)
    .map((name) => registry.findKind(section.role, name))
    .filter((kind): kind is KindDefinition => kind !== undefined);
  const [first, ...rest] = kinds.map((kind) => nodeSchema(kind).meta({ examples: [kindExample(kind)] }));
  const node = first ? z.discriminatedUnion('kind', [first, ...rest]) : z.never();
  const ids = z.string().regex(idPattern);
  const record = z.record(ids, node).describe(section.description);
  return section.required ? record : record.optional();
}

/**
 * The whole file as one zod schema, for JSON Schema generation: each section maps ids to
 * one of its role's kinds, told apart by `kind`. (Loading checks actor by actor instead,
 * for precise errors.)
 */
export function topologySchema(registry: KindRegistry = defaultRegistry): z.ZodObject {
  const shape: Record<string, z.ZodType> = { ...headerShape };
  for (const section of sections) shape[section.key] = sectionSchema(section, registry);
  return z
    .strictObject(shape)
    .describe('A millrace topology: actors by id, wired by their inputs.');
}

/** A string holding a `${NAME}` or `${NAME:-default}` reference. */
const substitution = {
  type: 'string',
  pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}',
  description: 'An environment variable reference, substituted when the file is loaded.',
};
const annotations = new Set(['title', 'description', 'default', 'examples', '$comment']);

/**
 * Lets every number and boolean also be written as `${VAR}`, as the loader accepts (it
 * converts the substituted text), so editors do not flag `port: ${PORT:-9092}`.
 */
function allowSubstitution(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowSubstitution);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = allowSubstitution(value);
  if (out.type !== 'number' && out.type !== 'integer' && out.type !== 'boolean') return out;
  const outer: Record<string, unknown> = {};
  const typed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(out))
    (annotations.has(key) ? outer : typed)[key] = value;
  return { ...outer, anyOf: [typed, substitution] };
}

/**
 * JSON Schema (draft-07, which yaml-language-server supports best) of topology files,
 * generated from the zod schemas: input types, so fields with defaults are optional, with
 * descriptions and defaults. `sources`, `stages` and `sinks` map ids to `oneOf` the kinds
 * of their role. Numbers and booleans also accept a `${VAR}` reference.
 *
 * @example
 * // first line of topology.yaml:
 * // # yaml-language-server: $schema=./schema/topology.schema.json
 */
export function topologyJsonSchema(
  registry: KindRegistry = defaultRegistry,
): Record<string, unknown> {
  const generated = z.toJSONSchema(topologySchema(registry), {
    target: 'draft-07',
    io: 'input',
  });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'millrace topology',
    ...(allowSubstitution(rest) as Record<string, unknown>),
  };
}

/** {@link topologyJsonSchema} as written to `schema/topology.schema.json`. */
export function topologyJsonSchemaText(registry: KindRegistry = defaultRegistry): string {
  return `${JSON.stringify(topologyJsonSchema(registry), null, 2)}\n`;
}
