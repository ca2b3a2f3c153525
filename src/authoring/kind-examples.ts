import { z } from 'zod';
import type { KindDefinition } from '../actors/kind.js';
import { takesInputs } from '../topology/schema.js';

/**
 * Settings of the examples worth writing by hand (realistic paths and modules); any other kind's
 * example is derived from its schema: its required settings with the simplest accepted values.
 */
const curated: Readonly<Record<string, Record<string, unknown>>> = {
  'source:generator': { count: 1000, keys: 16 },
  'source:file': { paths: ['logs/*.log'] },
  'source:kafka': { topics: ['events'] },
  'source:hdfs': { clusters: [{ name: 'local', backend: { type: 'local', dir: 'data/incoming' } }] },
  'stage:map': { module: 'examples/modules/enrich.mjs' },
  'stage:filter': { module: 'examples/modules/warnings.mjs' },
  'stage:parse': { format: 'millrace' },
  'stage:distribute': { by: 'key' },
  'sink:file': { path: 'out/events.jsonl' },
  'sink:kafka': { topic: 'events' },
  'sink:database': { engine: { type: 'sqlite', path: 'data/millrace.db' } },
};

/** The id examples read from, as a topology's first source would be called. */
export const EXAMPLE_INPUT = 'events';

const strings = ['example', 'http://127.0.0.1:8080', '/', 'x'];
const numbers = [1, 0, 1000];

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: z.core.$ZodType): Def => schema._zod.def as unknown as Def;

/** The first candidate the schema accepts, or the first candidate. */
function firstAccepted(schema: z.core.$ZodType, candidates: readonly unknown[]): unknown {
  return candidates.find((c) => z.safeParse(schema, c).success) ?? candidates[0];
}

/** The simplest value `schema` accepts, as far as it can be derived (refinements aside). */
function simplest(schema: z.core.$ZodType, depth = 0): unknown {
  if (depth > 8) return undefined;
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return firstAccepted(schema, strings);
    case 'number':
    case 'int':
      return firstAccepted(schema, numbers);
    case 'boolean':
      return false;
    case 'enum':
      return Object.values(def.entries as Record<string, unknown>)[0];
    case 'literal':
      return (def.values as unknown[])[0];
    case 'array': {
      const checks = (def.checks ?? []) as { _zod: { def: { check: string; minimum?: number } } }[];
      const min = checks.map((c) => c._zod.def).find((c) => c.check === 'min_length')?.minimum ?? 1;
      const item = simplest(def.element as z.core.$ZodType, depth + 1);
      return Array.from({ length: Math.max(1, min) }, () => item);
    }
    case 'object':
      return requiredSettings(schema as z.ZodObject, depth + 1);
    case 'union':
      return firstAccepted(
        schema,
        (def.options as z.core.$ZodType[]).map((o) => simplest(o, depth + 1)),
      );
    case 'pipe':
      return simplest(def.in as z.core.$ZodType, depth + 1);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
      return simplest(def.innerType as z.core.$ZodType, depth + 1);
    case 'record':
      return {};
    default:
      return null;
  }
}

/** The settings an object schema cannot do without, each with its simplest value. */
function requiredSettings(schema: z.ZodObject, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    if (z.safeParse(field, undefined).success) continue;
    out[key] = simplest(field, depth);
  }
  return out;
}

/**
 * A minimal valid actor of `kind` as written in topology.yaml: `kind`, `inputs` when the kind
 * takes them, and the settings it needs (hand-written for the common kinds, derived from the
 * schema for the others). The JSON Schema carries it as the kind's `examples` entry.
 *
 * @example
 * kindExample(mapKind); // { kind: 'map', inputs: ['events'], module: 'examples/modules/enrich.mjs' }
 */
export function kindExample(kind: KindDefinition): Record<string, unknown> {
  const settings = curated[`${kind.role}:${kind.name}`] ?? requiredSettings(kind.config);
  return { kind: kind.name, ...(takesInputs(kind) ? { inputs: [EXAMPLE_INPUT] } : {}), ...settings };
}
