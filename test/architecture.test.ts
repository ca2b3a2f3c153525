import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { layerOf, layers, layersMermaid } from '../scripts/layers.js';
import { withLayersDiagram } from '../scripts/readme-layers.js';

const repo = new URL('..', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, repo), 'utf8');
const sources = execFileSync('git', ['ls-files', 'src'], { cwd: repo, encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.(ts|mjs|js)$/.test(f));

/** Each src file's relative imports, resolved to repository paths (`.js` specifiers name `.ts` files). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const known = new Set(sources);
  for (const file of sources) {
    const targets: string[] = [];
    for (const m of read(file).matchAll(/(?:from|import\()\s*['"](\.[^'"]+)['"]/g)) {
      const target = posix.normalize(posix.join(posix.dirname(file), m[1] as string));
      const ts = target.replace(/\.js$/, '.ts');
      targets.push(known.has(ts) ? ts : target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** An import cycle in the graph as a list of files, or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'open') return [...path.slice(path.indexOf(file)), file];
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('architecture', () => {
  it('has no import cycle in src/', () => {
    expect(findCycle(importGraph())).toBeUndefined();
  });

  it('names every folder of src/ in the layers, and only those', () => {
    const folders = new Set(sources.map((f) => layerOf(f)).filter((f) => f !== undefined));
    expect([...folders].sort()).toEqual(Object.keys(layers).sort());
  });

  it('keeps every folder of src/ under a quarter of its lines', () => {
    const lines = new Map<string, number>();
    let total = 0;
    for (const file of sources) {
      const n = read(file).split('\n').length;
      total += n;
      const folder = layerOf(file) as string;
      lines.set(folder, (lines.get(folder) ?? 0) + n);
    }
    for (const [folder, n] of lines) expect(n / total, folder).toBeLessThan(0.25);
  });

  it('lint rejects an import that points up a layer, naming both folders', async () => {
    const eslint = new ESLint({ cwd: posix.normalize(new URL('.', repo).pathname) });
    const [result] = await eslint.lintText("import { kinds } from '../kinds/registry.js';\nexport const n = kinds.length;\n", { filePath: 'src/actors/upward.ts' });
    expect(result?.messages.map((m) => m.message)).toEqual([expect.stringMatching(/^src\/actors may not import src\/kinds/)]);
    const [down] = await eslint.lintText("import { kinds } from '../kinds/registry.js';\nexport const n = kinds.length;\n", { filePath: 'src/runtime/downward.ts' });
    expect(down?.messages).toEqual([]);
  });

  it("the README's layer diagram draws exactly the arrows of scripts/layers.js", () => {
    const readme = read('README.md');
    expect(withLayersDiagram(readme, layersMermaid()), 'README.md is stale: run `npm run schema`').toBe(readme);
  });
});
