import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidConfig } from './errors.js';

/**
 * Loads a named export of a JS or TS module by path (never `eval` of a YAML string). TypeScript
 * modules are loaded through tsx, so users can write their transforms in TS without a build step.
 * A module that is missing, fails to load or lacks the export throws {@link InvalidConfig}: no
 * restart can fix it.
 */
export async function loadFunction(baseDir: string, modulePath: string, exportName: string, what: string): Promise<(...args: never[]) => unknown> {
  const file = resolve(baseDir, modulePath);
  const url = pathToFileURL(file).href;
  let mod: Record<string, unknown>;
  try {
    if (/\.(c|m)?ts$/.test(file)) {
      const { tsImport } = await import('tsx/esm/api');
      mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(url)) as Record<string, unknown>;
    }
  } catch (error) {
    throw new InvalidConfig(`cannot load ${what} module ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const fn = mod[exportName];
  if (typeof fn !== 'function') {
    const found = Object.keys(mod).join(', ') || 'no exports';
    throw new InvalidConfig(`${what} module ${file} has no function export "${exportName}" (found: ${found})`);
  }
  return fn as (...args: never[]) => unknown;
}
