import { join, resolve } from 'node:path';
import { z } from 'zod';
import { defineSink } from '../../actors/kind.js';
import { formatRecords, recordFormatSchema } from '../../formats/record-format.js';
import type { LogRecord } from '../../streams/record.js';
import type { SharedLease } from '../../core/shared-resources.js';
import { OutputFile } from './output-file.js';

export const fileSinkConfig = z
  .strictObject({
    path: z.string().min(1).describe('File to append to, relative to the topology file; its directory is created. This sink must be its only writer.'),
    format: recordFormatSchema,
    fsync: z.enum(['batch', 'never']).default('batch').describe('batch: a batch is acked only after fdatasync of the file and then of the journal (exactly-once also across power loss); never: after the writes (faster; exactly-once across process crashes only).'),
  })
  .describe('Appends records to a file, with a journal in the state directory (length and source ranges stored) to store each record once across crashes.');

export const fileSinkKind = defineSink({
  name: 'file',
  example: { path: 'out/events.jsonl' },
  description: 'Appends records to a local file, exactly-once across crashes for sources with positions.',
  config: fileSinkConfig,
  delivery: {
    guarantee: 'exactly-once',
    detail:
      'Across process crashes (kill -9), and across power loss with fsync: batch, for records whose source gives positions (the file source in tail mode, the kafka source by topic/partition offset, the link source), straight or through stages; at start the file is cut back to the journalled length and replayed records already stored are skipped. Weaker: a replayed batch of a stage\'s output that is only partly stored, and a stage in a worker thread, are written again (at-least-once); so are records from sources without positions (generator, file once mode, hdfs). A Kafka topic deleted and created again under the same name starts its offsets over: records up to the old topic\'s last stored offset would be taken for replays and skipped, so give the sink a new path (or remove its state directory) when a topic it reads is recreated. The sink must be its file\'s only writer (replicas share one writer in the process).',
  },
  create(config: z.output<typeof fileSinkConfig>, ctx) {
    const path = resolve(ctx.baseDir, config.path);
    const format = (records: readonly LogRecord[]): string => formatRecords(records, config.format);
    const journal = join(ctx.stateDir, 'file-sink.jsonl');
    let lease: SharedLease<OutputFile> | undefined;
    return {
      async connect() {
        if (lease !== undefined) return;
        // One writer per file, shared by the sink's replicas (and its restarts).
        const taken = await ctx.shared(`file-sink:${path}`, () => OutputFile.open({ path, journal, durable: config.fsync === 'batch', log: ctx.log }), (output) => output.close());
        if (taken.resource.journalFile !== journal) {
          await taken.release();
          throw new Error(`file sink: ${path} is already written by another sink (one sink per file)`);
        }
        lease = taken;
      },
      async write(batch) {
        if (lease === undefined) throw new Error(`file sink ${path} is not open`);
        await lease.resource.write(batch, format);
      },
      async close() {
        const held = lease;
        lease = undefined;
        await held?.release();
      },
    };
  },
});
