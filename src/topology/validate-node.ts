import { resolve } from 'node:path';
import type { KindDefinition, Role } from '../actors/kind.js';
import { supervisionSchema } from '../actors/supervision/schema.js';
import { channelSchema } from '../streams/overflow.js';
import { safeParseCoercing } from './coerce.js';
import {
  describeFound,
  listNames,
  topologyError,
  type DocPath,
  type Explanation,
  type TopologyError,
} from './errors.js';
import { issueErrors } from './issues.js';
import type { KindRegistry } from './kind-registry.js';
import type { NodeSpec } from './model.js';
import { resolveReplicas, retrySchema } from './node-schema.js';
import { commonSchema, idPattern, nodeSchema, takesInputs, type Section } from './schema.js';
import type { Position, SourceMap } from './source-map.js';
import { didYouMean } from './suggest.js';

/** An actor as far as it could be checked: enough to resolve references even when invalid. */
export interface NodeDraft {
  id: string;
  role: Role;
  /** Document path of the actor, e.g. `['stages', 'upper']`. */
  path: DocPath;
  at: Position;
  kind?: KindDefinition;
  /** The string entries of `inputs:`, with their paths. */
  inputs: { id: string; path: DocPath }[];
  /** The checked actor, when it has no error of its own. */
  spec?: NodeSpec;
}

/** What {@link validateNode} needs besides the actor itself. */
export interface NodeContext {
  file: string;
  map: SourceMap;
  registry: KindRegistry;
  /** An id to show in the hint for missing inputs. */
  exampleInput?: string;
  /** When given, the files a kind's config names (its `files`) must exist: paths resolved from `baseDir`. */
  files?: { baseDir: string; exists(path: string): boolean };
}

const roles: readonly Role[] = ['source', 'stage', 'sink'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Checks one actor: its id, its kind, the common fields and the kind's settings together
 * (unknown keys rejected), and that it has inputs exactly when its kind takes them.
 */
export function validateNode(
  section: Section,
  id: string,
  raw: unknown,
  ctx: NodeContext,
): { draft: NodeDraft; errors: TopologyError[] } {
  const path: DocPath = [section.key, id];
  const role = section.role;
  // Positions are looked up when read: a valid topology reads none (see SourceMap).
  const draft: NodeDraft = {
    id,
    role,
    path,
    get at() {
      return ctx.map.keyOf(path);
    },
    inputs: [],
  };
  const errors: TopologyError[] = [];
  const report = (where: DocPath, at: Position, e: Explanation): void => {
    errors.push(topologyError(ctx.file, at, where, e));
  };
  if (!idPattern.test(id)) {
    report(path, draft.at, {
      message: `invalid id ${JSON.stringify(id)}`,
      expected: 'a letter, then letters, digits, _ or -',
    });
  }
  if (!isRecord(raw)) {
    report(path, ctx.map.locate(path), {
      message: 'wrong type',
      expected: `a mapping with the ${role}'s kind and settings`,
      found: describeFound(raw),
    });
    return { draft, errors };
  }
  const data: Record<string, unknown> = { ...raw };
  const kind = resolveKind(role, data.kind, [...path, 'kind'], ctx, report);
  if (kind) draft.kind = kind;
  const wantsInputs = kind ? takesInputs(kind) : role !== 'source';
  if (!wantsInputs && Object.hasOwn(data, 'inputs')) {
    const what = kind ? `${role} kind ${JSON.stringify(kind.name)}` : `a ${role}`;
    const hint =
      kind && role === 'sink'
        ? 'remove "inputs": the runtime itself feeds this sink'
        : 'remove "inputs"';
    report([...path, 'inputs'], ctx.map.keyOf([...path, 'inputs']), {
      message: `${what} takes no inputs`,
      hint,
    });
    delete data.inputs;
  }
  const missingInputs = wantsInputs && data.inputs === undefined;
  if (missingInputs) {
    const example = ctx.exampleInput ? `for example inputs: [${ctx.exampleInput}]` : undefined;
    report(path, draft.at, {
      message: 'missing required key "inputs"',
      expected: 'a list of source or stage ids',
      ...(example ? { hint: example } : {}),
    });
  }
  const schema = kind ? nodeSchema(kind) : commonSchema(role);
  const result = safeParseCoercing(schema, data, path, ctx.map);
  if (!result.success) {
    const issues = result.error.issues.filter(
      (i) => !(missingInputs && i.path.length === 1 && i.path[0] === 'inputs'),
    );
    const kindIssue = (i: { path: PropertyKey[] }): boolean =>
      i.path.length === 1 && i.path[0] === 'kind';
    errors.push(
      ...issueErrors(
        issues.filter((i) => !kindIssue(i)),
        { file: ctx.file, map: ctx.map, base: path, data, schema },
      ),
    );
  }
  if (Array.isArray(data.inputs)) {
    data.inputs.forEach((input: unknown, index) => {
      const where = [...path, 'inputs', index];
      if (typeof input === 'string' && !ctx.map.isBroken(where))
        draft.inputs.push({ id: input, path: where });
    });
  }
  if (kind && result.success && errors.length === 0) {
    const spec = buildSpec(draft, kind, data, result.data, ctx, errors);
    if (spec) draft.spec = spec;
  }
  return { draft, errors };
}

type Report = (where: DocPath, at: Position, e: Explanation) => void;

function resolveKind(
  role: Role,
  value: unknown,
  where: DocPath,
  ctx: NodeContext,
  report: Report,
): KindDefinition | undefined {
  if (ctx.map.isBroken(where)) return undefined;
  if (typeof value === 'string') {
    const kind = ctx.registry.findKind(role, value);
    if (kind) return kind;
  }
  const names = ctx.registry.kindNames(role);
  const expected =
    names.length > 0
      ? `one of ${listNames(names)}`
      : `a registered ${role} kind (none are registered)`;
  if (value === undefined) {
    report(where.slice(0, -1), ctx.map.keyOf(where), {
      message: 'missing required key "kind"',
      expected,
    });
    return undefined;
  }
  if (typeof value !== 'string') {
    report(where, ctx.map.locate(where), {
      message: 'wrong type',
      expected,
      found: describeFound(value),
    });
    return undefined;
  }
  const elsewhere = roles.find((r) => r !== role && ctx.registry.findKind(r, value));
  const hint = elsewhere ? `"${value}" is a ${elsewhere} kind` : didYouMean(value, names);
  report(where, ctx.map.locate(where), {
    message: `unknown ${role} kind ${JSON.stringify(value)}`,
    expected,
    ...(hint ? { hint } : {}),
  });
  return undefined;
}

interface CommonFields {
  inputs?: string[];
  replicas?: number | 'auto';
  supervision?: NodeSpec['supervision'];
  channel?: NodeSpec['channel'];
  retry?: NodeSpec['retry'];
  isolation?: NodeSpec['isolation'];
}

function buildSpec(
  draft: NodeDraft,
  kind: KindDefinition,
  data: Record<string, unknown>,
  parsed: Record<string, unknown>,
  ctx: NodeContext,
  errors: TopologyError[],
): NodeSpec | undefined {
  const settings: Record<string, unknown> = {};
  for (const key of Object.keys(kind.config.shape))
    if (Object.hasOwn(data, key)) settings[key] = data[key];
  const config = kind.config.safeParse(settings);
  if (!config.success) {
    errors.push(
      ...issueErrors(config.error.issues, {
        file: ctx.file,
        map: ctx.map,
        base: draft.path,
        data: settings,
        schema: kind.config,
      }),
    );
    return undefined;
  }
  const common = parsed as CommonFields;
  const settingsOut = config.data as Record<string, unknown>;
  if (ctx.files !== undefined && !filesExist(draft, kind, settingsOut, ctx, ctx.files, errors)) return undefined;
  return {
    id: draft.id,
    role: draft.role,
    kind,
    config: settingsOut,
    inputs: common.inputs ?? [],
    // A kind whose config decides its replicas (one HDFS poller per slot) overrides `replicas`.
    replicas: kind.replicasFor?.(settingsOut as never) ?? resolveReplicas(common.replicas),
    supervision: common.supervision ?? supervisionSchema.parse({}),
    channel: common.channel ?? channelSchema.parse({}),
    retry: common.retry ?? retrySchema.parse({}),
    ...(common.isolation === 'thread' && { isolation: 'thread' as const }),
    get at() {
      return draft.at;
    },
  };
}

/** Reports each file the kind's config names that does not exist; true when all do. */
function filesExist(
  draft: NodeDraft,
  kind: KindDefinition,
  config: Record<string, unknown>,
  ctx: NodeContext,
  files: NonNullable<NodeContext['files']>,
  errors: TopologyError[],
): boolean {
  let ok = true;
  for (const [setting, file] of Object.entries(kind.files?.(config as never) ?? {})) {
    const absolute = resolve(files.baseDir, file);
    if (files.exists(absolute)) continue;
    ok = false;
    const where = [...draft.path, setting];
    errors.push(
      topologyError(ctx.file, ctx.map.locate(where), where, {
        message: `file not found: ${absolute}`,
        expected: 'an existing file, relative to the topology file',
      }),
    );
  }
  return ok;
}
