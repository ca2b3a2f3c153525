import { LineCounter, parseDocument } from 'yaml';
import { parseTopology } from '../src/topology/load.js';

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

function timedMs(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/**
 * Validating a 100k-actor topology (target: under 5 s) against its bound: the yaml library
 * parsing the same text into a document with positions, which validation cannot avoid. Rounds
 * interleaved, medians.
 */
export async function runValidateBench(actors = 100_000, rounds = 3): Promise<Record<string, number | boolean>> {
  const text = wideTopology(actors);
  const parse: number[] = [];
  const validate: number[] = [];
  let ok = true;
  for (let r = 0; r < rounds; r++) {
    parse.push(timedMs(() => parseDocument(text, { lineCounter: new LineCounter(), prettyErrors: false, uniqueKeys: false })));
    validate.push(timedMs(() => (ok &&= parseTopology(text, 'topology.yaml', {}).ok)));
  }
  const yamlParseMs = Math.round(median(parse));
  const validateMs = Math.round(median(validate));
  return { actors, ok, validateMs, yamlParseMs, ratioToParse: Number((validateMs / yamlParseMs).toFixed(2)) };
}
