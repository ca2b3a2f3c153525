#!/usr/bin/env node
// In a checkout, run the TypeScript sources through tsx so a stale dist/ can never run; an
// installed package (which ships dist/ and no src/) runs the compiled CLI bundled into one module
// (scripts/bundle-cli.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
if (existsSync(source)) {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport(pathToFileURL(source).href, import.meta.url);
} else {
  await import(new URL('../dist/cli/millrace.mjs', import.meta.url).href);
}
