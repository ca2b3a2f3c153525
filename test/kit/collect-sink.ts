import { setImmediate as yieldTurn } from 'node:timers/promises';
import { z } from 'zod';
import { defineSink, type KindDefinition } from '../../src/actors/kind.js';
import { payloadText, type LogRecord } from '../../src/streams/record.js';

/** Holds a sink's writes while closed (a stalled sink), for backpressure tests. */
export class Gate {
  private closed = false;
  private readonly waiters: (() => void)[] = [];

  close(): void {
    this.closed = true;
  }

  open(): void {
    this.closed = false;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once the gate is open. */
  async pass(): Promise<void> {
    while (this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

export interface CollectOptions<T> {
  /** What to keep of each record (default: the record itself). */
  as?: (record: LogRecord) => T;
  /** Writes wait while this gate is closed. */
  gate?: Gate;
}

/** A record's value as text, for {@link collectSink}'s `as`. */
export const asText = (record: LogRecord): string => payloadText(record.value);

/**
 * A sink kind that appends every record it is given to `into`, in arrival order (projected by
 * `as`). A write takes at least one turn of the event loop, as a real sink's I/O does, and is
 * acked once its records are in `into`.
 *
 * @example
 * const got: string[] = [];
 * topology([..., { id: 'out', role: 'sink', kind: collectSink(got, { as: asText }), inputs: ['src'] }]);
 */
export function collectSink(into: LogRecord[], options?: { gate?: Gate }): KindDefinition;
export function collectSink<T>(
  into: T[],
  options: CollectOptions<T> & { as: (record: LogRecord) => T },
): KindDefinition;
export function collectSink<T>(into: T[], options: CollectOptions<T> = {}): KindDefinition {
  const as = options.as ?? ((record: LogRecord) => record as T);
  return defineSink({
    name: 'collect',
    description: 'test sink: collects records',
    config: z.strictObject({}),
    create() {
      return {
        async connect() {},
        async write(batch) {
          await options.gate?.pass();
          await yieldTurn();
          for (const record of batch.records) into.push(as(record));
        },
        async close() {},
      };
    },
  });
}
