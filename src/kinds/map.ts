import { z } from 'zod';
import type { DeadRecord } from '../actors/io.js';
import { defineStage } from '../actors/kind.js';
import type { LogRecord } from '../streams/record.js';
import { errorMessage } from '../core/errors.js';
import { loadFunction } from '../core/load-function.js';

export const mapConfig = z
  .strictObject({
    module: z.string().min(1).describe('Path of a JS or TS module, relative to the topology file.'),
    export: z.string().default('default').describe('Name of the exported function.'),
  })
  .describe('Applies `fn(record)` to every record. It returns a record, an array of records (flat-map), or null to drop it. A record whose call throws is dead-lettered with the error; its neighbours go on.');

type MapFn = (record: LogRecord) => LogRecord | LogRecord[] | null | undefined | Promise<LogRecord | LogRecord[] | null | undefined>;

export const mapKind = defineStage({
  name: 'map',
  example: { module: 'examples/modules/enrich.mjs' },
  description: 'Transforms records with a function from a module.',
  config: mapConfig,
  files: (config) => ({ module: config.module }),
  async create(config: z.output<typeof mapConfig>, ctx) {
    const fn = (await loadFunction(ctx.baseDir, config.module, config.export, 'map')) as MapFn;
    return {
      async process(batch) {
        const input = batch.records;
        const records: LogRecord[] = new Array<LogRecord>(input.length);
        let n = 0;
        let dead: DeadRecord[] | undefined;
        for (let i = 0; i < input.length; i++) {
          const record = input[i] as LogRecord;
          try {
            let out = fn(record);
            if (out instanceof Promise) out = await out;
            if (out === null || out === undefined) continue;
            if (!Array.isArray(out)) records[n++] = out;
            else for (const r of out) records[n++] = r;
          } catch (error) {
            (dead ??= []).push({ record, reason: `map ${config.module} threw: ${errorMessage(error)}` });
          }
        }
        records.length = n;
        return dead === undefined ? { records } : { records, dead };
      },
    };
  },
});
