import { z } from 'zod';
import { casesFileSchema } from './cases-schema.js';

/**
 * JSON Schema (draft-07, as yaml-language-server supports best) of cases files, generated from
 * the zod schema: input types, so fields with defaults are optional, with descriptions.
 *
 * @example
 * // first line of demo.cases.yaml:
 * // # yaml-language-server: $schema=../schema/cases.schema.json
 */
export function casesJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(casesFileSchema, { target: 'draft-07', io: 'input' });
  return { $schema, title: 'millrace config unit tests', ...rest };
}

/** {@link casesJsonSchema} as written to `schema/cases.schema.json`. */
export function casesJsonSchemaText(): string {
  return `${JSON.stringify(casesJsonSchema(), null, 2)}\n`;
}
