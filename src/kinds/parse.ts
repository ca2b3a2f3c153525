import { z } from 'zod';
import type { DeadRecord } from '../actors/io.js';
import { defineStage } from '../actors/kind.js';
import { payloadText, type LogRecord } from '../streams/record.js';
import { parseJsonLine, parseMillraceLine } from '../formats/line-format.js';
import { payloadKind } from '../streams/derive.js';

export const parseConfig = z
  .strictObject({
    format: z
      .enum(['millrace', 'json'])
      .default('millrace')
      .describe(
        'millrace: `<ISO-8601 timestamp> <app> <event> key=value ...` (quoted values with \\" and \\\\ escapes); json: one object per line with ts, app, event.',
      ),
  })
  .describe(
    'Parses log lines into { ts, day, app, event, user, fields }; a line that does not parse is dead-lettered with its line number and the reason. At-least-once.',
  );

/** A line's place for a dead-letter reason. */
function where(record: LogRecord): string {
  return `line ${record.headers?.line ?? '?'}`;
}

/**
 * The `parse` stage: one line in, one event out (value `LogEvent` of line-format.ts: `ts` ISO-8601 UTC, `day`
 * `YYYY-MM-DD` in UTC, `app`, `event`, `user` or null, `fields`), with the record's `ts` set to
 * the event time and headers unchanged. A bad line is dead-lettered one by one, e.g.
 * `line 12: expected "<timestamp> <app> <event> key=value...", found "garbage"`.
 *
 * @example
 * // topology.yaml
 * // - id: parse
 * //   kind: parse
 * //   inputs: [split]
 * //   replicas: 2
 * //   config: { format: millrace }
 */
export const parseKind = defineStage({
  name: 'parse',
  example: { format: 'millrace' },
  description: 'Parses log lines into structured events.',
  config: parseConfig,
  create(config: z.output<typeof parseConfig>) {
    const parseLine = config.format === 'json' ? parseJsonLine : parseMillraceLine;
    const counts = { parsed: 0, rejected: 0 };
    return {
      process(batch) {
        const records: LogRecord[] = [];
        const dead: DeadRecord[] = [];
        for (const record of batch.records) {
          if (typeof record.value !== 'string' && !(record.value instanceof Uint8Array)) {
            dead.push({
              record,
              reason: `${where(record)}: parse expects a text line, got ${payloadKind(record.value)}`,
            });
            continue;
          }
          const result = parseLine(payloadText(record.value));
          if (!result.ok) {
            counts.rejected += 1;
            dead.push({ record, reason: `${where(record)}: ${result.error}` });
            continue;
          }
          counts.parsed += 1;
          // Headers are unchanged and never mutated once sent: the event shares them.
          const event: LogRecord = { value: result.event, ts: result.ms };
          if (record.key !== undefined) event.key = record.key;
          if (record.stream !== undefined) event.stream = record.stream;
          if (record.headers !== undefined) event.headers = record.headers;
          records.push(event);
        }
        return { records, dead };
      },
      status() {
        return { ...counts };
      },
    };
  },
});
