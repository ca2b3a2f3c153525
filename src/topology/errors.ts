/** One problem found in a topology file, located at the offending value (1-based). */
export interface TopologyError {
  /** The topology file as it was named to the loader. */
  file: string;
  line: number;
  column: number;
  /** What is wrong, e.g. `unknown input "uper"`. */
  message: string;
  /** Where in the document, e.g. `sinks.out.inputs[0]`; absent for file-level problems. */
  path?: string;
  /** What would have been accepted, e.g. `the id of a source or stage (gen, upper)`. */
  expected?: string;
  /** What was there instead, e.g. `string "fast"`. */
  found?: string;
  /** A suggestion, e.g. `did you mean "upper"?`. */
  hint?: string;
}

/** A document path: mapping keys and sequence indexes from the root. */
export type DocPath = readonly (string | number)[];

/** The explaining part of an error: what is wrong, expected, found, and a hint. */
export type Explanation = Pick<TopologyError, 'message' | 'expected' | 'found' | 'hint'>;

/** An error at `at` about the value at `path` (the path is left out when empty). */
export function topologyError(
  file: string,
  at: { line: number; column: number },
  path: DocPath,
  explanation: Explanation,
): TopologyError {
  const error: TopologyError = {
    file,
    line: at.line,
    column: at.column,
    message: explanation.message,
  };
  if (path.length > 0) error.path = formatPath(path);
  for (const key of ['expected', 'found', 'hint'] as const) {
    const value = explanation[key];
    if (value !== undefined) error[key] = value;
  }
  return error;
}

const plainKey = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Renders a document path the way users read it.
 *
 * @example
 * formatPath(['sinks', 'out', 'inputs', 0]); // 'sinks.out.inputs[0]'
 */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (plainKey.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** One error as a single line: `file:line:col: path: message; expected X, found Y; hint`. */
export function formatTopologyError(e: TopologyError): string {
  let text = `${e.file}:${e.line}:${e.column}: `;
  if (e.path) text += `${e.path}: `;
  text += e.message;
  if (e.expected !== undefined) text += `; expected ${e.expected}`;
  if (e.found !== undefined)
    text += e.expected !== undefined ? `, found ${e.found}` : `; found ${e.found}`;
  if (e.hint !== undefined) text += `; ${e.hint}`;
  return text;
}

/**
 * Renders errors one per line, in file order.
 *
 * @example
 * formatTopologyErrors(result.errors);
 * // topology.yaml:12:11: sinks.out.inputs[0]: unknown input "uper"; expected the id of a
 * //   source or stage (gen, upper); did you mean "upper"?
 */
export function formatTopologyErrors(errors: readonly TopologyError[]): string {
  return sortErrors(errors).map(formatTopologyError).join('\n');
}

/** Errors in file order (line, then column), duplicates removed; the sort is stable. */
export function sortErrors(errors: readonly TopologyError[]): TopologyError[] {
  const seen = new Set<string>();
  const unique = errors.filter((e) => {
    const key = formatTopologyError(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * Describes a value for `found ...` text: its type and, for scalars, the value itself.
 *
 * @example
 * describeFound('fast'); // 'string "fast"'
 */
export function describeFound(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value))
    return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string ${quote(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** A scalar as written in a message: strings quoted (and shortened), others as they print. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value))
    return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

/** `a, b, c` for a few names, `a, b, ... (N more)` past `max`. */
export function listNames(names: readonly string[], max = 12): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')}, ... (${names.length - max} more)`;
}
