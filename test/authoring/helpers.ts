import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCases } from '../../src/authoring/cases-load.js';
import type { TestCommandIO } from '../../src/cli/test-command.js';
import { formatTopologyErrors } from '../../src/topology/errors.js';
import { loadTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/model.js';

/** The generator demo (generator → enrich map → warnings filter → files). */
export const demoTopologyFile = fileURLToPath(new URL('../../examples/generator-demo.yaml', import.meta.url));

/** Lines joined: keeps YAML in tests readable. */
export const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** Loads the generator demo, failing the test if it does not load. */
export async function demoTopology(): Promise<Topology> {
  const result = await loadTopology(demoTopologyFile);
  if (!result.ok) throw new Error(formatTopologyErrors(result.errors));
  return result.topology;
}

/** The formatted errors of cases text that must be rejected. */
export function caseErrors(text: string, topology: Topology): string {
  const result = parseCases(text, 'cases.yaml', topology, {});
  if (result.ok) throw new Error('expected the cases file to be rejected');
  return formatTopologyErrors(result.errors);
}

/** Writes `text` to a fresh temporary file and returns its path. */
export async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'millrace-authoring-'));
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** What a command printed, by stream. */
export interface Captured extends TestCommandIO {
  stdout: () => string;
  stderr: () => string;
}

/** An IO capturing stdout and stderr in memory. */
export function capture(): Captured {
  let out = '';
  let err = '';
  return {
    out: (text) => (out += text),
    err: (text) => (err += text),
    stdout: () => out,
    stderr: () => err,
  };
}
