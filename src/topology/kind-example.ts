import type { KindDefinition } from '../actors/kind.js';
import { takesInputs } from './schema.js';

/** The id examples read from, as a topology's first source would be called. */
export const EXAMPLE_INPUT = 'events';

/**
 * A minimal valid actor of `kind` as written in topology.yaml: `kind`, `inputs` when the kind
 * takes them, and the kind's own example settings. The JSON Schema carries it as the kind's
 * `examples` entry and the reference shows it.
 *
 * @example
 * kindExample(mapKind); // { kind: 'map', inputs: ['events'], module: 'examples/modules/enrich.mjs' }
 */
export function kindExample(kind: KindDefinition): Record<string, unknown> {
  return { kind: kind.name, ...(takesInputs(kind) ? { inputs: [EXAMPLE_INPUT] } : {}), ...(kind.example ?? {}) };
}
