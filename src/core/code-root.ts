/**
 * The folder millrace's code runs from: `src/` when run from the TypeScript sources (a checkout,
 * tests), `dist/` when compiled. Files that sit beside the code (the transport's .proto, the web
 * inspector's pages, thread entry modules) are found from here, not from the module asking, because
 * the CLI also runs as one bundled module (dist/cli/millrace.mjs, docs/decisions/cli-bundle.md),
 * where every module's `import.meta.url` is the bundle's. This module and the bundle are both one
 * folder below the root.
 */
export const codeRoot = new URL('../', import.meta.url);

/** Whether the code runs from the TypeScript sources (through tsx, whose `tsImport` adds a query to module URLs). */
export const fromSources = new URL(import.meta.url).pathname.endsWith('.ts');

/** A file of the code, by its path from the root, e.g. `gate/transport.proto`. */
export function codeFile(path: string): URL {
  return new URL(path, codeRoot);
}
