import { z } from 'zod';
import type { DeadRecord } from '../actors/io.js';
import { defineStage } from '../actors/kind.js';
import type { LogRecord } from '../streams/record.js';
import { errorMessage } from '../core/errors.js';
import { loadFunction } from '../core/load-function.js';

export const filterConfig = z
  .strictObject({
    module: z.string().min(1).describe('Path of a JS or TS module, relative to the topology file.'),
    export: z.string().default('default').describe('Name of the exported predicate.'),
  })
  .describe('Keeps the records for which `fn(record)` is truthy. A record whose call throws is dead-lettered with the error.');

type Predicate = (record: LogRecord) => unknown;

export const filterKind = defineStage({
  name: 'filter',
  example: { module: 'examples/modules/warnings.mjs' },
  description: 'Keeps records matching a predicate from a module.',
  config: filterConfig,
  files: (config) => ({ module: config.module }),
  async create(config: z.output<typeof filterConfig>, ctx) {
    const keep = (await loadFunction(ctx.baseDir, config.module, config.export, 'filter')) as Predicate;
    return {
      async process(batch) {
        const records: LogRecord[] = [];
        const dead: DeadRecord[] = [];
        for (const record of batch.records) {
          try {
            let verdict = keep(record);
            if (verdict instanceof Promise) verdict = await verdict;
            if (verdict) records.push(record);
          } catch (error) {
            dead.push({ record, reason: `filter ${config.module} threw: ${errorMessage(error)}` });
          }
        }
        return { records, dead };
      },
    };
  },
});
