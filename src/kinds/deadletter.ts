import { z } from 'zod';
import { defineSink } from '../actors/kind.js';
import { fileSinkKind } from './file/sink.js';

export const deadletterConfig = z
  .strictObject({
    path: z.string().min(1).default('deadletter.jsonl').describe('JSON-lines file, relative to the topology file. Each line: reason, actor, position, key, ts, value, encoding.'),
  })
  .describe('Receives every record any actor rejects, with the reason. Takes no inputs: the runtime feeds it. Without one, the runtime adds one writing <dataDir>/deadletter.jsonl.');

export const deadletterKind = defineSink({
  name: 'deadletter',
  example: { path: 'deadletter.jsonl' },
  description: 'Stores rejected records with their reason as JSON lines.',
  config: deadletterConfig,
  delivery: {
    guarantee: 'exactly-once',
    detail: "The file sink's: dead letters of a batch with a source origin (rejected by the source, a stage or a sink, or given up after retries) are stored once across crashes, except a partly stored replay of a batch's rejects (stored again); others at-least-once.",
  },
  inputs: 'none',
  create(config: z.output<typeof deadletterConfig>, ctx) {
    return fileSinkKind.create({ path: config.path, format: 'lines', fsync: 'batch' }, ctx);
  },
});
