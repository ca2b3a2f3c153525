import { z } from 'zod';
import { defineSink } from '../actors/kind.js';
import { formatRecords, recordFormatSchema } from '../formats/record-format.js';

export const stdoutSinkConfig = z
  .strictObject({ format: recordFormatSchema })
  .describe('Writes records to standard output; waits for the pipe to drain (a slow reader slows the topology).');

export const stdoutSinkKind = defineSink({
  name: 'stdout',
  example: {},
  description: 'Prints records to standard output.',
  config: stdoutSinkConfig,
  delivery: {
    guarantee: 'at-least-once',
    detail: 'A batch is acked once the pipe took it; records replayed after a crash are printed again.',
  },
  create(config: z.output<typeof stdoutSinkConfig>) {
    return {
      async connect() {},
      async write(batch) {
        const text = formatRecords(batch.records, config.format);
        if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
      },
      async close() {},
    };
  },
});
