import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { millrace } from './process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = join(root, 'examples', 'kind-package');

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/**
 * The kind package imports 'millrace', which resolves to the compiled dist/ (package.json
 * `exports`): `npm test` builds first; a run of this file alone builds when dist/ is older than src/.
 */
function ensureBuilt(): void {
  const index = join(root, 'dist', 'index.js');
  if (existsSync(index) && statSync(index).mtimeMs >= newest(join(root, 'src'))) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
}

/** The example copied to a temp dir, with millrace linked into its node_modules as `npm install` links `file:../..`. */
function installedExample(edit: (yaml: string) => string = (y) => y): string {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-kind-package-'));
  cpSync(example, dir, { recursive: true, filter: (src) => !/[/\\](node_modules|out|\.millrace)$/.test(src) });
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'millrace'), 'dir');
  const topology = join(dir, 'topology.yaml');
  writeFileSync(topology, edit(readFileSync(topology, 'utf8')));
  return dir;
}

const expected = Array.from({ length: 25 }, (_, i) => `T-MINUS ${25 - i}!!`);

describe('a kind in its own package (examples/kind-package)', () => {
  beforeAll(ensureBuilt, 240_000);

  it('validates and runs the topology that brings its kinds in through plugins:', async () => {
    const dir = installedExample();
    const validated = await millrace(['validate', 'topology.yaml'], dir).exited;
    expect(validated.stderr).not.toMatch(/unknown (source|stage) kind/);
    expect(validated.code).toBe(0);
    const ran = await millrace(['run', 'topology.yaml'], dir).exited;
    expect(ran.code, ran.stderr).toBe(0);
    // The countdown source ends with its own copy of EndOfInput: the runtime recognises it and stops normally.
    expect(readFileSync(join(dir, 'out', 'shouted.txt'), 'utf8').trim().split('\n')).toEqual(expected);
  }, 120_000);

  it('runs the package\'s stage in worker threads (isolation: thread loads the plugin in each thread)', async () => {
    const dir = installedExample((y) => y.replace("inputs: [launch], suffix: '!!' }", "inputs: [launch], suffix: '!!', replicas: 2, isolation: thread }"));
    const ran = await millrace(['run', 'topology.yaml'], dir).exited;
    expect(ran.code, ran.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out', 'shouted.txt'), 'utf8').trim().split('\n').sort()).toEqual([...expected].sort());
  }, 120_000);

  it('fails validation, naming the unknown kinds, when the topology leaves the plugin out', async () => {
    const dir = installedExample((y) => y.replace('plugins: [./kinds.mjs]', ''));
    const validated = await millrace(['validate', 'topology.yaml'], dir).exited;
    expect(validated.code).toBe(2);
    expect(validated.stderr).toMatch(/unknown source kind "countdown"/);
  }, 60_000);
});
