import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { defineSink } from '../../actors/kind.js';
import { formatRecords, recordFormatSchema } from '../../formats/record-format.js';

export const fileSinkConfig = z
  .strictObject({
    path: z.string().min(1).describe('File to append to, relative to the topology file; its directory is created.'),
    format: recordFormatSchema,
    fsync: z.enum(['batch', 'never']).default('batch').describe('batch: a batch is acked only after fdatasync (durable); never: after the write (faster, lost on power failure).'),
  })
  .describe('Appends records to a file. At-least-once: a batch redelivered after a crash is appended again.');

export const fileSinkKind = defineSink({
  name: 'file',
  example: { path: 'out/events.jsonl' },
  description: 'Appends records to a local file.',
  config: fileSinkConfig,
  create(config: z.output<typeof fileSinkConfig>, ctx) {
    const path = resolve(ctx.baseDir, config.path);
    let handle: FileHandle | undefined;
    return {
      async connect() {
        await mkdir(dirname(path), { recursive: true });
        handle = await open(path, 'a');
      },
      async write(batch) {
        if (handle === undefined) throw new Error(`file sink ${path} is not open`);
        await handle.appendFile(formatRecords(batch.records, config.format));
        if (config.fsync === 'batch') await handle.datasync();
      },
      async close() {
        await handle?.close();
        handle = undefined;
      },
    };
  },
});
