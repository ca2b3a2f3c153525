/**
 * The millrace CLI as an installed package runs it: the compiled CLI bundled into one module
 * (dist/cli/millrace.mjs, scripts/bundle-cli.mjs). In a checkout
 * bin/millrace.js runs the TypeScript through tsx, which compiles every module at start-up (about
 * 1 s and 2 CPU-s here): a benchmark timing a run of a few seconds would mostly time that.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
let built = false;

/** The path of dist/cli/millrace.mjs, built from the current sources the first time it is asked for. */
export function compiledCli(): string {
  if (!built) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    built = true;
  }
  return fileURLToPath(new URL('../dist/cli/millrace.mjs', import.meta.url));
}
