// Bundles the compiled CLI (dist/cli/main.js) into one module, dist/cli/millrace.mjs, which
// bin/millrace.js runs in an installed package: Node 20 loads ES modules one file at a time, and
// resolving, reading and compiling ~420 of ours and ~500 of the libraries below took 0.4 s of every
// command's start (docs/decisions/cli-bundle.md). Run by `npm run build` after tsc.
import { build } from 'esbuild';

// Pure-JavaScript libraries every command loads. Everything else stays an ordinary import: native
// addons, kafkajs (whose internals are required by path), tsx (a loader), the libraries of optional
// kinds that load on first use (docs/decisions/lazy-libraries.md), pino and msgpackr (optional
// native and worker parts).
const bundled = new Set(['rxjs', 'zod', 'xstate', 'yaml', 'js-yaml', 'fast-glob', 'picomatch', 'iconv-lite', 'fzstd']);

const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/cli/millrace.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // CommonJS libraries in an ES module bundle call require() for Node's own modules.
  banner: { js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);" },
  plugins: [
    {
      name: 'bundle-only-listed-libraries',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith('node:')) return { path: args.path, external: true };
          // Inside a bundled library its own dependencies are bundled too.
          if (args.importer.includes('/node_modules/')) return undefined;
          return bundled.has(packageOf(args.path)) ? undefined : { path: args.path, external: true };
        });
      },
    },
  ],
});
