import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { loadTopology } from '../src/topology/load.js';
import { plainYaml } from '../src/topology/plain-yaml.js';

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
 * Validating a 100k-actor topology file as `millrace validate` does (target: under 5 s), against
 * reading the text at all (js-yaml's plain data, the floor) and the yaml library's document with
 * positions (what validation paid before the plain read, and what a file with an error still
 * pays: its positions come from that document). The same file with one unknown kind in its last
 * actor is validated too, and its error must point at that line. Rounds interleaved, medians.
 */
export async function runValidateBench(actors = 100_000, rounds = 3): Promise<Record<string, number | boolean>> {
  const text = wideTopology(actors);
  const dir = await mkdtemp(path.join(tmpdir(), 'millrace-validate-'));
  const file = path.join(dir, 'topology.yaml');
  const broken = path.join(dir, 'broken.yaml');
  const last = `  g${actors - 1}: { kind: generator, count: ${actors - 1} }`;
  await writeFile(file, text);
  await writeFile(broken, text.replace(last, last.replace('generator', 'generatr')));
  const plain: number[] = [];
  const parse: number[] = [];
  const validate: number[] = [];
  const withError: number[] = [];
  let ok = true;
  let errorPlaced = true;
  for (let r = 0; r < rounds; r++) {
    plain.push(await timedMs(() => plainYaml(text)));
    parse.push(await timedMs(() => parseDocument(text, { lineCounter: new LineCounter(), prettyErrors: false, uniqueKeys: false })));
    validate.push(await timedMs(async () => (ok &&= (await loadTopology(file, {})).ok)));
    withError.push(
      await timedMs(async () => {
        const result = await loadTopology(broken, {});
        errorPlaced &&= !result.ok && result.errors.length === 1 && result.errors[0]?.line === actors + 1;
      }),
    );
  }
  await rm(dir, { recursive: true, force: true });
  const validateMs = Math.round(median(validate));
  return {
    actors,
    ok,
    validateMs,
    plainParseMs: Math.round(median(plain)),
    documentParseMs: Math.round(median(parse)),
    validateWithErrorMs: Math.round(median(withError)),
    errorPlaced,
  };
}
