/**
 * Writes schema/topology.schema.json from the zod schemas (`npm run schema`). Run it after
 * adding or changing a kind; a test fails while the committed file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { topologyJsonSchemaText } from '../src/topology/json-schema.js';

const target = fileURLToPath(new URL('../schema/topology.schema.json', import.meta.url));
await writeFile(target, topologyJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
