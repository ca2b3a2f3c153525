import type { Matcher } from './cases-schema.js';
import { parseFieldPath, valueAtPath } from './field-path.js';
import { deepEqual, show } from './record-view.js';

/**
 * Why `value` fails `matcher`, or undefined when it passes. Every condition the matcher gives
 * must hold; the first that does not is explained.
 *
 * @example
 * matcherFailure({ equals: 'warn' }, 'info'); // 'expected equals "warn", found "info"'
 * matcherFailure({ matches: '^w' }, 'warn');  // undefined
 */
export function matcherFailure(matcher: Matcher, value: unknown): string | undefined {
  const present = value !== undefined && value !== null;
  if (matcher.exists !== undefined && matcher.exists !== present) {
    return matcher.exists ? 'expected to exist, found nothing' : `expected not to exist, found ${show(value)}`;
  }
  if ('equals' in matcher && matcher.equals !== undefined && !deepEqual(matcher.equals, value)) {
    return `expected equals ${show(matcher.equals)}, found ${show(value)}`;
  }
  if (matcher.matches !== undefined) {
    if (!present) return `expected to match /${matcher.matches}/, found nothing`;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (!new RegExp(matcher.matches).test(text)) return `expected to match /${matcher.matches}/, found ${show(value)}`;
  }
  return undefined;
}

/**
 * Why `data` fails a set of field checks (`value.level: { equals: warn }`), one line per
 * failing field, each naming the field path; empty when all pass.
 */
export function fieldFailures(checks: Record<string, Matcher>, data: unknown): string[] {
  const out: string[] = [];
  for (const [path, matcher] of Object.entries(checks)) {
    const parsed = parseFieldPath(path);
    const failure = parsed === undefined ? `not a field path` : matcherFailure(matcher, valueAtPath(data, parsed));
    if (failure !== undefined) out.push(`${path}: ${failure}`);
  }
  return out;
}

/** A matcher as written, for messages: `{ equals: "warn" }` → `equals "warn"`. */
export function showMatcher(matcher: Matcher): string {
  const parts: string[] = [];
  if (matcher.equals !== undefined) parts.push(`equals ${show(matcher.equals)}`);
  if (matcher.matches !== undefined) parts.push(`matches /${matcher.matches}/`);
  if (matcher.exists !== undefined) parts.push(matcher.exists ? 'exists' : 'does not exist');
  return parts.join(' and ');
}
