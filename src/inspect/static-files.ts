import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeFile } from '../core/code-root.js';

/** One file of the web inspector, held in memory. */
export interface StaticFile {
  body: Buffer;
  contentType: string;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The folder of the web inspector's files: `inspect/web/` of the code root (the sources, or `dist/`,
 * where the build copies it), else `src/inspect/web/` of the checkout when a `dist/` was compiled
 * by tsc alone (which copies no files that are not TypeScript; the page is plain JS that needs no build).
 */
export function webDir(): string {
  const candidates = [codeFile('inspect/web/'), codeFile('../src/inspect/web/')].map((u) => fileURLToPath(u));
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (found === undefined) throw new Error(`web inspector files not found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * Loads the web inspector's files once, keyed by URL path (`/` is `index.html`). Only these
 * files are ever served: no path from a request reaches the file system.
 */
export function loadStaticFiles(dir = webDir()): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const contentType = types[extname(name)];
    if (contentType === undefined) continue;
    files.set(`/${name}`, { body: readFileSync(join(dir, name)), contentType });
  }
  const index = files.get('/index.html');
  if (index !== undefined) files.set('/', index);
  return files;
}
