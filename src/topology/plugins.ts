import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KindDefinition, Role } from '../actors/kind.js';
import { errorMessage } from '../core/errors.js';
import { topologyError, type DocPath, type TopologyError } from './errors.js';
import type { KindRegistry } from './kind-registry.js';
import type { SourceDocument } from './source.js';

const roles: readonly Role[] = ['source', 'stage', 'sink'];

/** The module each plugin kind was loaded from (file URL): a worker thread loads it again from there. */
const origins = new WeakMap<KindDefinition, string>();

/** The module URL a kind came from when a topology's `plugins` brought it, else undefined. */
export function pluginModuleOf(kind: KindDefinition): string | undefined {
  return origins.get(kind);
}

/** Whether `value` is what defineSource/defineStage/defineSink return (duck-typed: a plugin may use its own copy of millrace). */
function isKind(value: unknown): value is KindDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const k = value as Partial<Record<keyof KindDefinition, unknown>>;
  const config = k.config as { safeParse?: unknown; shape?: unknown } | undefined;
  return (
    roles.includes(k.role as Role) &&
    typeof k.name === 'string' &&
    typeof k.create === 'function' &&
    typeof config?.safeParse === 'function' &&
    typeof config.shape === 'object'
  );
}

/** Every kind a module exports: named exports, and a default export that is a kind or a list of kinds. */
export function kindsOf(mod: Record<string, unknown>): KindDefinition[] {
  const found = new Set<KindDefinition>();
  for (const [name, value] of Object.entries(mod)) {
    const candidates = name === 'default' && Array.isArray(value) ? value : [value];
    for (const c of candidates) if (isKind(c)) found.add(c);
  }
  return [...found];
}

/**
 * The file a plugin entry names: a path (`./kinds.mjs`, `/abs/kinds.js`) relative to the
 * topology's directory, or a package name resolved from there as Node resolves it.
 */
function resolvePlugin(entry: string, baseDir: string): string {
  if (entry.startsWith('.') || path.isAbsolute(entry)) return path.resolve(baseDir, entry);
  return createRequire(path.join(baseDir, 'topology.yaml')).resolve(entry);
}

/**
 * Imports a plugin module by file URL; TypeScript through tsx, as for `map` modules.
 *
 * @example
 * const mod = await importModule(pathToFileURL('/work/kinds.mjs').href);
 */
export async function importModule(url: string): Promise<Record<string, unknown>> {
  if (/\.(c|m)?ts$/.test(new URL(url).pathname)) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}

/** A registry with `kinds` beside those of `base`. */
function withKinds(base: KindRegistry, kinds: readonly KindDefinition[]): KindRegistry {
  return {
    findKind: (role, name) => kinds.find((k) => k.role === role && k.name === name) ?? base.findKind(role, name),
    kindNames: (role) => [...base.kindNames(role), ...kinds.filter((k) => k.role === role).map((k) => k.name)],
  };
}

/**
 * Loads the modules a topology lists under `plugins` and returns the registry to check it
 * against: `base` plus every kind they export. A module that cannot be loaded, exports no kind,
 * or exports a kind whose name its role already has, is an error at that entry (the entry's
 * other kinds are still registered). The list's own shape is checked with the other top-level
 * settings.
 *
 * @example
 * // topology.yaml: plugins: [./my-kinds.mjs, my-kinds-package]
 * const source = readSource(text, 'topology.yaml', process.env);
 * const { registry, errors } = await loadPlugins(source, 'topology.yaml', defaultRegistry);
 */
export async function loadPlugins(
  source: SourceDocument,
  file: string,
  base: KindRegistry,
): Promise<{ registry: KindRegistry; errors: TopologyError[] }> {
  const entries = (source.data as { plugins?: unknown } | undefined)?.plugins;
  if (source.fatal || !Array.isArray(entries)) return { registry: base, errors: [] };
  const baseDir = path.dirname(path.resolve(file));
  const kinds: KindDefinition[] = [];
  const from = new Map<KindDefinition, string>();
  const errors: TopologyError[] = [];
  for (const [i, entry] of entries.entries()) {
    if (typeof entry !== 'string' || entry === '') continue;
    const where: DocPath = ['plugins', i];
    const fail = (message: string, expected?: string): void => {
      errors.push(topologyError(file, source.map.locate(where), where, { message, ...(expected !== undefined && { expected }) }));
    };
    let target: string;
    let mod: Record<string, unknown>;
    try {
      target = resolvePlugin(entry, baseDir);
    } catch (error) {
      fail(`cannot find plugin ${JSON.stringify(entry)}: ${errorMessage(error)}`, 'a path relative to this file (./kinds.mjs) or an installed package name');
      continue;
    }
    const url = pathToFileURL(target).href;
    const named = target === entry ? JSON.stringify(entry) : `${JSON.stringify(entry)} (${target})`;
    try {
      mod = await importModule(url);
    } catch (error) {
      fail(`cannot load plugin ${named}: ${errorMessage(error)}`);
      continue;
    }
    const found = kindsOf(mod);
    if (found.length === 0) {
      const exported = Object.keys(mod).join(', ') || 'nothing';
      fail(`plugin ${named} exports no kind (it exports ${exported})`, 'kinds made with defineSource, defineStage or defineSink, as named exports or a default export');
      continue;
    }
    for (const kind of found) {
      const clash = kinds.find((k) => k.role === kind.role && k.name === kind.name);
      if (clash !== undefined || base.findKind(kind.role, kind.name) !== undefined) {
        const owner = clash === undefined ? 'a built-in kind' : `plugin ${JSON.stringify(from.get(clash))}`;
        fail(`plugin ${JSON.stringify(entry)}: ${kind.role} kind "${kind.name}" is already registered by ${owner}`, 'a kind name not used by another kind of the same role');
        continue;
      }
      kinds.push(kind);
      from.set(kind, entry);
      origins.set(kind, url);
    }
  }
  return { registry: withKinds(base, kinds), errors };
}
