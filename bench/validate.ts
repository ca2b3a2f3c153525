import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { loadTopology } from '../src/topology/load.js';

/** `n` generators and one file sink reading them all (about 4n values, no aliases). */
function wideTopology(n: number): string {
  const lines = ['sources:'];
  for (let i = 0; i < n; i++) lines.push(`  g${i}: { kind: generator, count: ${i} }`);
  const inputs = Array.from({ length: n }, (_, i) => `g${i}`).join(', ');
  lines.push('sinks:', `  out: { kind: file, path: out.jsonl, inputs: [${inputs}] }`);
  return `${lines.join('\n')}\n`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function timedMs(run: () => unknown): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/**
 * Validating a 100k-actor topology file as `millrace validate` does (target: under 5 s) against
 * its bound: the yaml library parsing the same text into a document with positions, which
 * validation cannot avoid. Rounds interleaved, medians.
 */
export async function runValidateBench(actors = 100_000, rounds = 3): Promise<Record<string, number | boolean>> {
  const text = wideTopology(actors);
  const dir = await mkdtemp(path.join(tmpdir(), 'millrace-validate-'));
  const file = path.join(dir, 'topology.yaml');
  await writeFile(file, text);
  const parse: number[] = [];
  const validate: number[] = [];
  let ok = true;
  for (let r = 0; r < rounds; r++) {
    parse.push(await timedMs(() => parseDocument(text, { lineCounter: new LineCounter(), prettyErrors: false, uniqueKeys: false })));
    validate.push(await timedMs(async () => (ok &&= (await loadTopology(file, {})).ok)));
  }
  await rm(dir, { recursive: true, force: true });
  const yamlParseMs = Math.round(median(parse));
  const validateMs = Math.round(median(validate));
  return { actors, ok, validateMs, yamlParseMs, ratioToParse: Number((validateMs / yamlParseMs).toFixed(2)) };
}
