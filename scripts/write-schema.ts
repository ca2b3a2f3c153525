/**
 * Writes schema/topology.schema.json and schema/cases.schema.json from the zod schemas, and
 * docs/reference.md from the same schemas, the README's layer diagram from scripts/layers.js and
 * its kinds table from the registry
 * (`npm run schema`). Run it after adding or changing a kind or a layer; a test fails while a
 * committed file is stale.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { casesJsonSchemaText } from '../src/authoring/cases-json-schema.js';
import { withKindsTable } from '../src/authoring/readme-kinds.js';
import { referenceDoc } from '../src/authoring/reference-doc.js';
import { topologyJsonSchemaText } from '../src/topology/json-schema.js';
import { layersMermaid } from './layers.js';
import { withLayersDiagram } from './readme-layers.js';

const outputs: [string, () => string][] = [
  ['../schema/topology.schema.json', () => topologyJsonSchemaText()],
  ['../schema/cases.schema.json', () => casesJsonSchemaText()],
  ['../docs/reference.md', () => referenceDoc()],
];
const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const readmeText = await readFile(readme, 'utf8');
outputs.push(['../README.md', () => withKindsTable(withLayersDiagram(readmeText, layersMermaid()))]);
for (const [relative, render] of outputs) {
  const target = fileURLToPath(new URL(relative, import.meta.url));
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, render());
  process.stdout.write(`wrote ${target}\n`);
}
