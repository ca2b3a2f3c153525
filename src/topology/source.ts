import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { setOwn } from '../core/own-property.js';
import { topologyError, type Explanation, type TopologyError } from './errors.js';
import { maskFlowReferences, unmaskFlowReferences } from './flow-references.js';
import { interpolate, type Env } from './interpolate.js';
import { documentPositions, type PositionFinder } from './document-positions.js';
import { plainYaml } from './plain-yaml.js';
import { SourceMap, type Position } from './source-map.js';

/** A parsed and interpolated document: plain data, positions, and the problems found. */
export interface SourceDocument {
  data: unknown;
  map: SourceMap;
  errors: TopologyError[];
  /** True when the YAML is malformed or too large: `data` is then undefined; stop there. */
  fatal: boolean;
}

/** Values that aliases may expand to in one document (billion laughs); the rest is not limited. */
const NODE_BUDGET = 100_000;
/**
 * yaml's own duplicate-key check compares each key with every earlier one of its map, quadratic
 * in the actors of a section; {@link convert} checks keys with a set instead.
 */
const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: false } as const;

interface Walk {
  text: string;
  file: string;
  env: Env;
  doc: Document;
  lines: LineCounter;
  map: SourceMap;
  errors: TopologyError[];
  stack: Set<unknown>;
  budget: number;
  /** A map repeats a key: as fatal as the YAML syntax errors. */
  duplicateKeys: boolean;
  /** The document was parsed with its `${...}` references masked (see {@link maskFlowReferences}). */
  masked: boolean;
}

/**
 * yaml's parser reads `process.env.LOG_TOKENS` once per token, and each read of the real
 * `process.env` is a call into the runtime: about a fifth of the parse of a 100k-actor file. The
 * parse is synchronous, so a plain copy stands in for it meanwhile and nothing else can see it.
 */
function parseYaml(text: string, lines: LineCounter): Document {
  const env = process.env;
  process.env = { ...env };
  try {
    return parseDocument(text, { lineCounter: lines, ...PARSE_OPTIONS });
  } finally {
    process.env = env;
  }
}

/** The yaml library's document of a topology text, with what its positions need. */
interface Parsed {
  doc: Document;
  lines: LineCounter;
  /** The document was parsed with its `${...}` references masked (see {@link maskFlowReferences}). */
  masked: boolean;
}

/**
 * The text's document. `${...}` in a flow collection (`{ mode: ${MODE:-once} }`) ends a plain
 * scalar at its brace: a text with errors is parsed again with such references masked, which
 * keeps every position (scalars are unmasked when read); when that has errors too, the first
 * document is kept for its errors.
 */
function parseText(text: string): Parsed {
  const lines = new LineCounter();
  const doc = parseYaml(text, lines);
  if (doc.errors.length === 0) return { doc, lines, masked: false };
  const masked = maskFlowReferences(text);
  if (masked === undefined) return { doc, lines, masked: false };
  const maskedLines = new LineCounter();
  const retry = { doc: parseYaml(masked, maskedLines), lines: maskedLines, masked: true };
  return retry.doc.errors.length === 0 ? retry : { doc, lines, masked: false };
}

/** Positions in `text`, from its document, parsed when a position is first asked for. */
function sourceMap(text: string, parse: () => Parsed): SourceMap {
  let ready: { find: PositionFinder; lines: LineCounter } | undefined;
  const parsed = (): { find: PositionFinder; lines: LineCounter } => {
    if (ready === undefined) {
      const { doc, lines, masked } = parse();
      ready = { find: documentPositions(doc, masked), lines };
    }
    return ready;
  };
  return new SourceMap(
    text,
    (path) => parsed().find(path),
    (offset) => {
      const at = parsed().lines.linePos(offset);
      return { line: at.line, column: at.col };
    },
  );
}

/**
 * Reads a topology text to plain data, substituting environment variables into its string
 * scalars (see {@link interpolate}); positions, looked up in the text as written, come with it.
 * Plain YAML is read fast and its document parsed only if a position is asked for; the rest,
 * and every text with an error, is read through the yaml library's document.
 */
export function readSource(text: string, file: string, env: Env): SourceDocument {
  return readPlain(text, env) ?? readDocument(text, file, env);
}

/**
 * {@link readSource} through {@link plainYaml}, with the document for positions parsed only when
 * one is asked for (a valid topology asks for none). Undefined when the text needs the document
 * now: it is not plain YAML, or a substitution failed (its error wants a position).
 */
function readPlain(text: string, env: Env): SourceDocument | undefined {
  const plain = plainYaml(text);
  if (plain === undefined) return undefined;
  const map = sourceMap(text, () => parseText(text));
  const data = plain.data;
  if (typeof data === 'string') {
    const value = substitute(data, [], env, map);
    return value === undefined ? undefined : { data: value, map, errors: [], fatal: false };
  }
  if (data !== null && typeof data === 'object' && !substituteIn(data as Record<string, unknown>, [], env, map)) return undefined;
  return { data, map, errors: [], fatal: false };
}

/** `value` with environment variables substituted; undefined when a substitution failed. */
function substitute(value: string, path: (string | number)[], env: Env, map: SourceMap): string | undefined {
  if (!value.includes('$')) return value;
  const result = interpolate(value, env);
  if (result.errors.length > 0) return undefined;
  if (result.substituted) map.substituted(path, 'substituted');
  return result.value;
}

/**
 * Substitutes environment variables into the strings of a parsed mapping or sequence, in place.
 * `path` is the collection's document path (pushed and popped along the walk); false when a
 * substitution failed.
 */
function substituteIn(collection: Record<string, unknown> | unknown[], path: (string | number)[], env: Env, map: SourceMap): boolean {
  const at = collection as Record<string | number, unknown>;
  for (const step of Array.isArray(collection) ? collection.keys() : Object.keys(collection)) {
    const value = at[step];
    path.push(step);
    let ok = true;
    if (typeof value === 'string') {
      const substituted = substitute(value, path, env, map);
      if (substituted === undefined) ok = false;
      else at[step] = substituted;
    } else if (value !== null && typeof value === 'object') {
      ok = substituteIn(value as Record<string, unknown>, path, env, map);
    }
    path.pop();
    if (!ok) return false;
  }
  return true;
}

/** {@link readSource} through the yaml library's document: for texts {@link plainYaml} leaves, and errors. */
export function readDocument(text: string, file: string, env: Env): SourceDocument {
  const { doc, lines, masked } = parseText(text);
  if (doc.errors.length > 0)
    return { data: undefined, map: new SourceMap(), errors: syntaxErrors(doc, text, file, lines), fatal: true };
  const map = sourceMap(text, () => ({ doc, lines, masked }));
  const walk: Walk = {
    text,
    file,
    env,
    doc,
    lines,
    map,
    errors: [],
    stack: new Set(),
    budget: NODE_BUDGET,
    duplicateKeys: false,
    masked,
  };
  const data = convert(doc.contents, [], walk);
  if (walk.budget < 0) {
    const tooLarge = walk.errors.filter((e) => e.message.startsWith('document too large'));
    return { data: undefined, map, errors: tooLarge, fatal: true };
  }
  if (walk.duplicateKeys) {
    const duplicates = walk.errors.filter((e) => e.message.endsWith('Map keys must be unique'));
    return { data: undefined, map, errors: duplicates, fatal: true };
  }
  return { data, map, errors: walk.errors, fatal: false };
}

/**
 * YAML errors, without the cascade that follows one mistake: the first error, then only
 * errors of another kind than "unexpected token", one per line.
 */
function syntaxErrors(
  doc: Document,
  text: string,
  file: string,
  lines: LineCounter,
): TopologyError[] {
  const errors: TopologyError[] = [];
  const seenLines = new Set<number>();
  for (const e of doc.errors) {
    const at = lines.linePos(e.pos[0]);
    if (seenLines.has(at.line) || (errors.length > 0 && e.code === 'UNEXPECTED_TOKEN')) continue;
    seenLines.add(at.line);
    const error: TopologyError = {
      file,
      line: at.line,
      column: at.col,
      message: `YAML syntax error: ${e.message}`,
    };
    const lineText = text.slice(e.pos[0] - at.col + 1).split('\n', 1)[0] ?? '';
    if (lineText.includes('${') && /[{[]/.test(lineText.replaceAll('${', ''))) {
      error.hint = 'inside { } or [ ], quote values that hold ${...}: "${VAR}"';
    }
    errors.push(error);
  }
  return errors;
}

function position(walk: Walk, offset: number): Position {
  const at = walk.lines.linePos(offset);
  return { line: at.line, column: at.col };
}

function fail(walk: Walk, path: readonly (string | number)[], at: Position, error: Explanation): void {
  walk.errors.push(topologyError(walk.file, at, [...path], error));
}

/**
 * Plain data from a document node; positions stay in the document (see {@link documentPositions}).
 * `path` is the node's document path, one array pushed and popped along the walk (copied where
 * an error keeps it): a new array per value cost 100k-actor files a tenth of their conversion.
 */
function convert(node: unknown, path: (string | number)[], walk: Walk): unknown {
  if (node === null || node === undefined) return null;
  if (walk.stack.size > 0 && --walk.budget < 0) {
    if (walk.budget === -1) {
      const at = position(walk, (node as { range?: [number] }).range?.[0] ?? 0);
      fail(walk, path, at, {
        message: 'document too large after expanding aliases',
        expected: `at most ${NODE_BUDGET} values from aliases`,
      });
    }
    return null;
  }
  if (isAlias(node)) {
    const target = node.resolve(walk.doc);
    const at = position(walk, node.range?.[0] ?? 0);
    if (target === undefined || walk.stack.has(target)) {
      fail(walk, path, at, { message: `alias *${node.source} refers to itself or to nothing` });
      return null;
    }
    walk.stack.add(target);
    const value = convert(target, path, walk);
    walk.stack.delete(target);
    return value;
  }
  const start = (node as { range?: [number, number, number] }).range?.[0] ?? 0;
  if (isScalar(node)) {
    if (typeof node.value !== 'string') return node.value;
    const value = walk.masked ? unmaskFlowReferences(node.value) : node.value;
    return scalarString(value, start, node.range?.[1] ?? 0, path, walk);
  }
  if (isSeq(node)) return node.items.map((item, index) => convertAt(item, path, index, walk));
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      if (!isScalar(pair.key) || (pair.key.value !== null && typeof pair.key.value === 'object')) {
        const keyAt = position(walk, (pair.key as { range?: [number] } | null)?.range?.[0] ?? 0);
        fail(walk, path, keyAt, {
          message: 'mapping key is not a plain scalar',
          expected: 'a name such as gen',
        });
        continue;
      }
      const name = walk.masked ? unmaskFlowReferences(String(pair.key.value)) : String(pair.key.value);
      const keyAt = pair.key.range?.[0] ?? 0;
      if (Object.hasOwn(out, name)) {
        const at = position(walk, keyAt);
        walk.errors.push({ file: walk.file, line: at.line, column: at.column, message: 'YAML syntax error: Map keys must be unique' });
        walk.duplicateKeys = true;
        continue;
      }
      const value = convertAt(pair.value, path, name, walk);
      setOwn(out, name, value);
    }
    return out;
  }
  fail(walk, path, position(walk, start), { message: 'unsupported YAML node' });
  return null;
}

/** {@link convert} of a child at `step` under `path`. */
function convertAt(node: unknown, path: (string | number)[], step: string | number, walk: Walk): unknown {
  path.push(step);
  const value = convert(node, path, walk);
  path.pop();
  return value;
}

function scalarString(
  value: string,
  start: number,
  end: number,
  path: (string | number)[],
  walk: Walk,
): string {
  const result = interpolate(value, walk.env);
  if (!result.substituted && result.errors.length === 0) return result.value;
  const written = walk.text.slice(start, end);
  walk.map.substituted(path, result.errors.length > 0 ? 'broken' : 'substituted');
  let cursor = 0;
  for (const e of result.errors) {
    const found = written.indexOf(e.reference, cursor);
    if (found >= 0) cursor = found + 1;
    const at = position(walk, found >= 0 ? start + found : start);
    fail(walk, path, at, {
      message: e.message,
      ...(e.expected ? { expected: e.expected } : {}),
      ...(e.hint ? { hint: e.hint } : {}),
    });
  }
  return result.value;
}
