import type { SinkIO } from '../actors/io.js';
import type { SinkKind } from '../actors/kind.js';
import type { LogRecord } from '../streams/record.js';
import type { HopCounter } from './hop-counter.js';

/**
 * `kind` with its deliveries counted for stream `stream` at hop `hop`: a batch is counted once
 * its write resolved (the sink stored it), and its write resolves only once the counts are
 * stored, so the source commits no offset whose records are not counted. Counts are taken in the
 * order the batches were given to the sink.
 */
export function countedSink(kind: SinkKind, counter: HopCounter, stream: string, hop: string): SinkKind {
  return {
    ...kind,
    async create(config, ctx): Promise<SinkIO> {
      const io = await kind.create(config, ctx);
      let turn: Promise<unknown> = Promise.resolve();
      return {
        async connect() {
          await counter.ready(stream, hop);
          await io.connect();
        },
        write(batch) {
          const written = io.write(batch);
          const counted = turn.then(async () => {
            const result = await written;
            const rejected = result?.dead === undefined ? undefined : new Set<LogRecord>(result.dead.map((d) => d.record));
            counter.count({ stream, hop, records: batch.records, origin: batch.origin, rejected, deliveredAt: Date.now() });
            await counter.commit();
            return result;
          });
          turn = counted.catch(() => undefined);
          return counted;
        },
        close: () => io.close(),
        ...(io.status === undefined ? {} : { status: () => (io.status as NonNullable<SinkIO['status']>).call(io) }),
        ...(io.writesInFlight === undefined ? {} : { writesInFlight: io.writesInFlight }),
      };
    },
  };
}
