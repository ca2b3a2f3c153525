import type { z } from 'zod';
import { toDocPath, valueAt } from './doc-path.js';
import {
  describeFound,
  listNames,
  showValue,
  topologyError,
  type DocPath,
  type Explanation,
  type TopologyError,
} from './errors.js';
import { objectKeysAt } from './schema-keys.js';
import type { SourceMap } from './source-map.js';
import { didYouMean } from './suggest.js';

/** What {@link issueErrors} needs to locate and explain an issue. */
export interface IssueContext {
  file: string;
  map: SourceMap;
  /** Document path of the validated value. */
  base: DocPath;
  /** The validated value, to show what was found. */
  data: unknown;
  /** The schema it was validated against, to list the keys it accepts. */
  schema: z.core.$ZodType;
}

const typeNames: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  null: 'null',
};

/** Readable errors for zod issues, located in the file: never zod's raw JSON. */
export function issueErrors(
  issues: readonly z.core.$ZodIssue[],
  ctx: IssueContext,
): TopologyError[] {
  return issues.flatMap((issue) => explainIssue(issue, ctx));
}

function explainIssue(issue: z.core.$ZodIssue, ctx: IssueContext): TopologyError[] {
  const rel = toDocPath(issue.path);
  const path = [...ctx.base, ...rel];
  if (ctx.map.isBroken(path)) return [];
  if (issue.code === 'unrecognized_keys') return unknownKeys(issue.keys, rel, ctx);
  const value = valueAt(ctx.data, rel);
  const missing =
    value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union');
  const at = ctx.map.locate(path);
  const explained = missing ? missingKey(issue, rel) : explain(issue, value);
  const written = ctx.map.get(path)?.written;
  if (written !== undefined && explained.hint === undefined)
    explained.hint = `the value comes from ${written}`;
  const shown = missing ? path.slice(0, -1) : path;
  return [topologyError(ctx.file, at, shown, explained)];
}

function missingKey(issue: z.core.$ZodIssue, rel: DocPath): Explanation {
  const key = rel.at(-1);
  let expected: string | undefined;
  if (issue.code === 'invalid_type') expected = typeNames[issue.expected] ?? issue.expected;
  else if (issue.code === 'invalid_union' && 'options' in issue && issue.options) {
    expected = `one of ${listNames(issue.options.map(String), 20)}`;
  }
  return {
    message: `missing required key ${JSON.stringify(String(key))}`,
    ...(expected ? { expected } : {}),
  };
}

/** `expected one of a, b, found "c"; did you mean "a"?` for a value outside a fixed set. */
function oneOf(values: readonly unknown[], value: unknown): Explanation {
  const names = values.map((v) => (typeof v === 'string' ? v : String(v)));
  const explained: Explanation = {
    message: 'invalid value',
    expected: names.length === 1 ? showValue(values[0]) : `one of ${listNames(names, 20)}`,
    found: showValue(value),
  };
  const hint = typeof value === 'string' ? didYouMean(value, names) : undefined;
  if (hint) explained.hint = hint;
  return explained;
}

function unknownKeys(keys: readonly string[], rel: DocPath, ctx: IssueContext): TopologyError[] {
  const allowed = objectKeysAt(ctx.schema, rel, ctx.data) ?? [];
  const present = valueAt(ctx.data, rel);
  const unused = allowed.filter(
    (k) => !(present !== null && typeof present === 'object' && Object.hasOwn(present, k)),
  );
  return keys.map((key): TopologyError => {
    const path = [...ctx.base, ...rel, key];
    const at = ctx.map.keyOf(path);
    const hint = didYouMean(key, unused);
    return topologyError(ctx.file, at, path, {
      message: `unknown key ${JSON.stringify(key)}`,
      ...(allowed.length > 0 ? { expected: `one of ${listNames(allowed, 20)}` } : {}),
      ...(hint ? { hint } : {}),
    });
  });
}

function explain(issue: z.core.$ZodIssue, value: unknown): Explanation {
  switch (issue.code) {
    case 'invalid_type':
      return {
        message: 'wrong type',
        expected: typeNames[issue.expected] ?? issue.expected,
        found: describeFound(value),
      };
    case 'too_small':
      return {
        message: 'too small',
        expected: bound(issue.origin, 'min', issue.minimum, issue.inclusive),
        found: sized(issue.origin, value),
      };
    case 'too_big':
      return {
        message: 'too big',
        expected: bound(issue.origin, 'max', issue.maximum, issue.inclusive),
        found: sized(issue.origin, value),
      };
    case 'invalid_value':
      return oneOf(issue.values, value);
    case 'invalid_format':
      return {
        message: 'invalid format',
        expected:
          issue.format === 'regex' && issue.pattern
            ? `a string matching ${issue.pattern}`
            : `a valid ${issue.format}`,
        found: showValue(value),
      };
    case 'not_multiple_of':
      return {
        message: 'invalid value',
        expected: `a multiple of ${issue.divisor}`,
        found: showValue(value),
      };
    case 'invalid_union':
      if ('options' in issue && issue.options) return oneOf(issue.options, value);
      return {
        message: 'invalid value',
        // A union given its own error (`{ error: '...' }`) names its forms; zod's default says nothing.
        expected: issue.message !== 'Invalid input' ? issue.message : 'one of the accepted forms',
        found: describeFound(value),
      };
    default:
      return { message: issue.message, found: showValue(value) };
  }
}

function bound(
  origin: string,
  side: 'min' | 'max',
  limit: number | bigint,
  inclusive: boolean | undefined,
): string {
  const n = Number(limit);
  if (origin === 'string') {
    if (side === 'min' && n === 1) return 'a non-empty string';
    return `a string of ${side === 'min' ? 'at least' : 'at most'} ${n} character${n === 1 ? '' : 's'}`;
  }
  if (origin === 'array' || origin === 'set') {
    return `${side === 'min' ? 'at least' : 'at most'} ${n} item${n === 1 ? '' : 's'}`;
  }
  const what = origin === 'int' ? 'an integer' : 'a number';
  if (side === 'min')
    return inclusive === false ? `${what} greater than ${n}` : `${what} of at least ${n}`;
  return inclusive === false ? `${what} less than ${n}` : `${what} of at most ${n}`;
}

function sized(origin: string, value: unknown): string {
  if (Array.isArray(value))
    return value.length === 0
      ? 'an empty list'
      : `${value.length} item${value.length === 1 ? '' : 's'}`;
  if (origin === 'string' && typeof value === 'string' && value !== '')
    return `${showValue(value)} (${value.length} characters)`;
  return showValue(value);
}
