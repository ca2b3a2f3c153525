import { z } from 'zod';
import { valueAt } from './doc-path.js';
import type { DocPath } from './errors.js';

/** The schema with wrappers that do not change its shape (optional, default, ...) removed. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (let depth = 0; depth < 32; depth++) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodNonOptional ||
      current instanceof z.ZodReadonly ||
      current instanceof z.ZodCatch ||
      current instanceof z.ZodLazy
    ) {
      current = current.unwrap();
    } else if (current instanceof z.ZodPipe) {
      current = current.in;
    } else {
      return current;
    }
  }
  return current;
}

/** The object option of a union that `value` is meant for: by discriminator, or the only one. */
function pickOption(union: z.ZodUnion, value: unknown): z.core.$ZodType | undefined {
  const objects = union.options.map(unwrap).filter((o) => o instanceof z.ZodObject);
  const discriminator =
    union instanceof z.ZodDiscriminatedUnion ? union.def.discriminator : undefined;
  if (discriminator === undefined) return objects.length === 1 ? objects[0] : undefined;
  const tag = valueAt(value, [discriminator]);
  return objects.find((o) => o.shape[discriminator]?.safeParse(tag).success);
}

/**
 * The keys an object schema accepts at `path` inside `schema`, for did-you-mean on unknown
 * keys. `data` is the validated value, to pick the option of a discriminated union.
 * Undefined when the path leads to no plain object schema.
 */
export function objectKeysAt(
  schema: z.core.$ZodType,
  path: DocPath,
  data: unknown,
): string[] | undefined {
  const resolve = (s: z.core.$ZodType, at: DocPath): z.core.$ZodType | undefined => {
    const plain = unwrap(s);
    return plain instanceof z.ZodUnion ? pickOption(plain, valueAt(data, at)) : plain;
  };
  let current = resolve(schema, []);
  for (let i = 0; i < path.length && current; i++) {
    const part = path[i];
    let next: z.core.$ZodType | undefined;
    if (current instanceof z.ZodObject && typeof part === 'string') next = current.shape[part];
    else if (current instanceof z.ZodArray && typeof part === 'number') next = current.element;
    else if (current instanceof z.ZodRecord) next = current.valueType;
    current = next ? resolve(next, path.slice(0, i + 1)) : undefined;
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : undefined;
}
