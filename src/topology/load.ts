import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { safeParseCoercing } from './coerce.js';
import { describeFound, sortErrors, topologyError, type TopologyError } from './errors.js';
import type { Env } from './interpolate.js';
import { issueErrors } from './issues.js';
import { defaultRegistry, type KindRegistry } from './kind-registry.js';
import type { LoadResult, NodeSpec, Topology } from './model.js';
import { checkReferences } from './references.js';
import { topologicalOrder } from './graph.js';
import { loadPlugins } from './plugins.js';
import { headerSchema, sections } from './schema.js';
import type { SourceMap } from './source-map.js';
import { readSource, type SourceDocument } from './source.js';
import { validateNode, type NodeContext, type NodeDraft } from './validate-node.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Options of {@link parseTopology}. */
export interface ParseOptions {
  /** Check that the files actors name exist (see `files` on a kind); not checked without it. */
  files?: NodeContext['files'];
}

/**
 * Reads and checks a topology file. Never throws for a bad file: every problem found is
 * returned, located at file:line:column (see {@link formatTopologyErrors}). The kinds of the
 * modules listed under `plugins` are loaded first and join `registry`.
 *
 * @param env - variables for `${VAR}` and `${VAR:-default}`; `process.env` by default.
 * @param registry - the kinds to resolve `kind:` against; the real registry by default.
 * @example
 * const result = await loadTopology('topology.yaml');
 * if (!result.ok) {
 *   console.error(formatTopologyErrors(result.errors));
 *   process.exit(1);
 * }
 */
export async function loadTopology(
  file: string,
  env: Env = process.env,
  registry: KindRegistry = defaultRegistry,
): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      errors: [{ file, line: 1, column: 1, message: `cannot read the topology file: ${reason}` }],
    };
  }
  // Parsed once: the plugins' list and the check read the same document.
  const source = readSource(text, file, env);
  const plugins = await loadPlugins(source, file, registry);
  const files = { baseDir: path.dirname(path.resolve(file)), exists: existsSync };
  const result = checkSource(source, file, plugins.registry, { files });
  if (plugins.errors.length === 0) return result;
  return { ok: false, errors: sortErrors([...plugins.errors, ...(result.ok ? [] : result.errors)]) };
}

/**
 * Checks topology text as if read from `file` (which names it in errors and anchors relative
 * paths): parses the YAML with positions, substitutes environment variables, validates the
 * top level and every actor, resolves kinds and inputs, and rejects cycles. All errors are
 * collected, in file order. `plugins` are not loaded here (this is synchronous): their kinds
 * must be in `registry` ({@link loadTopology} does that). Files the actors name are checked only
 * with `options.files` ({@link loadTopology} checks them on disk).
 *
 * @example
 * const result = parseTopology('sources:\n  gen: { kind: generator }\n...', 'demo.yaml');
 */
export function parseTopology(
  text: string,
  file: string,
  env: Env = process.env,
  registry: KindRegistry = defaultRegistry,
  options: ParseOptions = {},
): LoadResult {
  return checkSource(readSource(text, file, env), file, registry, options);
}

/** {@link parseTopology} on a document already read. */
function checkSource(
  source: SourceDocument,
  file: string,
  registry: KindRegistry,
  options: ParseOptions,
): LoadResult {
  if (source.fatal) return { ok: false, errors: sortErrors(source.errors) };
  const { map, data } = source;
  const errors: TopologyError[] = [...source.errors];
  if (!isRecord(data)) {
    const at = map.locate([]);
    const found = data === null ? 'an empty document' : describeFound(data);
    errors.push(
      topologyError(file, at, [], {
        message: 'not a topology',
        expected: 'a mapping with sources and sinks',
        found,
      }),
    );
    return { ok: false, errors: sortErrors(errors) };
  }
  const header = safeParseCoercing(headerSchema, data, [], map);
  if (!header.success)
    errors.push(
      ...issueErrors(header.error.issues, { file, map, base: [], data, schema: headerSchema }),
    );
  const { drafts, incomplete } = validateSections(data, file, registry, map, errors, options);
  const refs = checkReferences(drafts, { file, map, hasErrors: errors.length > 0, incomplete });
  errors.push(...refs.errors);
  const nodes = refs.nodes.map((d) => d.spec).filter((s): s is NodeSpec => s !== undefined);
  if (errors.length > 0 || !header.success || nodes.length !== refs.nodes.length) {
    return { ok: false, errors: sortErrors(errors) };
  }
  const absolute = path.resolve(file);
  const baseDir = path.dirname(absolute);
  const topology: Topology = {
    file: absolute,
    baseDir,
    name: header.data.name ?? path.basename(file, path.extname(file)),
    dataDir: path.resolve(baseDir, header.data.dataDir),
    ...(header.data.transport ? { transport: header.data.transport } : {}),
    ...(header.data.drain ? { drain: header.data.drain } : {}),
    ...(header.data.coordination ? { coordination: header.data.coordination } : {}),
    nodes,
    order: topologicalOrder(nodes),
  };
  return { ok: true, topology };
}

function validateSections(
  data: Record<string, unknown>,
  file: string,
  registry: KindRegistry,
  map: SourceMap,
  errors: TopologyError[],
  options: ParseOptions,
): { drafts: NodeDraft[]; incomplete: boolean } {
  const drafts: NodeDraft[] = [];
  let incomplete = false;
  const firstSource = isRecord(data.sources) ? Object.keys(data.sources)[0] : undefined;
  const context: NodeContext = {
    file,
    map,
    registry,
    ...(firstSource ? { exampleInput: firstSource } : {}),
    ...(options.files ? { files: options.files } : {}),
  };
  for (const section of sections) {
    const value = data[section.key];
    const where = [section.key];
    const expected = `at least one ${section.role}, by id`;
    if (
      value === undefined ||
      value === null ||
      (isRecord(value) && Object.keys(value).length === 0)
    ) {
      if (!section.required) continue;
      if (value === undefined)
        errors.push(
          topologyError(file, map.locate(where), [], {
            message: `missing required key "${section.key}"`,
            expected,
          }),
        );
      else errors.push(topologyError(file, map.locate(where), where, { message: `no ${section.key}`, expected }));
      continue;
    }
    if (!isRecord(value)) {
      const found = describeFound(value);
      errors.push(
        topologyError(file, map.locate(where), where, {
          message: 'wrong type',
          expected: `a mapping of ${section.role} ids to their settings`,
          found,
        }),
      );
      incomplete = true;
      continue;
    }
    for (const [id, raw] of Object.entries(value)) {
      const checked = validateNode(section, id, raw, context);
      drafts.push(checked.draft);
      for (const e of checked.errors) errors.push(e);
    }
  }
  return { drafts, incomplete };
}
