import type { z } from 'zod';
import { setValueAt, toDocPath, valueAt } from './doc-path.js';
import type { DocPath } from './errors.js';
import type { SourceMap } from './source-map.js';

const numeric = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The typed value of a substituted string where the schema wants a number or a boolean:
 * `port: ${PORT:-9092}` reads as a string, as YAML has it, and becomes 9092 here.
 */
export function coerceScalar(value: unknown, expected: string): unknown {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if ((expected === 'number' || expected === 'int') && numeric.test(text)) return Number(text);
  if (expected === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return undefined;
}

function coerceForIssue(issue: z.core.$ZodIssue, value: unknown): unknown {
  if (issue.code === 'invalid_type') return coerceScalar(value, issue.expected);
  // A union (`replicas: 2 | auto`): what one of its forms would take at the same place.
  if (issue.code === 'invalid_union') {
    for (const option of issue.errors) {
      const here = option.filter((e) => e.path.length === 0);
      const coerced = here.length === 1 ? coerceForIssue(here[0] as z.core.$ZodIssue, value) : undefined;
      if (coerced !== undefined) return coerced;
    }
    return undefined;
  }
  if (issue.code !== 'invalid_value') return undefined;
  for (const expected of ['number', 'boolean']) {
    const coerced = coerceScalar(value, expected);
    if (coerced !== undefined && issue.values.includes(coerced as number | boolean)) return coerced;
  }
  return undefined;
}

/**
 * `schema.safeParse(data)`, retried after converting the values the schema rejected for
 * their type (or literal value) when they came from environment substitution and look like what it wants.
 * Only substituted scalars change: a literal `count: "5"` stays an error. `data` is updated
 * in place; `base` is its path in the document.
 */
export function safeParseCoercing<T extends z.ZodType>(
  schema: T,
  data: unknown,
  base: DocPath,
  map: SourceMap,
): z.ZodSafeParseResult<z.output<T>> {
  let result = schema.safeParse(data);
  for (let round = 0; round < 4 && !result.success; round++) {
    let changed = false;
    for (const issue of result.error.issues) {
      const path = toDocPath(issue.path);
      if (!map.wasSubstituted([...base, ...path])) continue;
      const coerced = coerceForIssue(issue, valueAt(data, path));
      if (coerced !== undefined && setValueAt(data, path, coerced)) changed = true;
    }
    if (!changed) break;
    result = schema.safeParse(data);
  }
  return result;
}
