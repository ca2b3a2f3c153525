import { z } from 'zod';
import type { DeadRecord } from '../actors/io.js';
import { defineStage } from '../actors/kind.js';
import type { Json, LogRecord } from '../streams/record.js';

export const changelogConfig = z
  .strictObject({
    format: z
      .enum(['changelog-json', 'debezium-json'])
      .default('changelog-json')
      .describe("changelog-json: Flink's `{data, op}` with op +I (also for snapshot rows), -U/+U (an update is two records), -D. debezium-json: `{before, after, op: c|u|d|r, ts_ms, source}` (r: a snapshot row). Heartbeats: `{op: heartbeat, source, ts_ms}` in both."),
  })
  .describe('Writes binlog row changes as a changelog (Flink changelog-json or Debezium JSON), keyed by primary key, stream `<db>.<table>`.');

type Row = { [column: string]: Json };

/** Debezium's op letters; a snapshot row (`read`) is its `r`. */
const debeziumOp = { insert: 'c', update: 'u', delete: 'd', read: 'r' } as const;

/** The changelog values of one binlog row change, or why it is none. */
function changelogValues(v: Row, format: 'changelog-json' | 'debezium-json', ts: number): Row[] | string {
  const op = v.op;
  if (op === 'heartbeat') return [{ op: 'heartbeat', source: { db: v.database ?? null, table: v.table ?? null, position: v.position ?? null, gtid: v.gtid ?? null }, ts_ms: ts }];
  if (op !== 'insert' && op !== 'update' && op !== 'delete' && op !== 'read') return 'not a binlog row change (op must be insert, update, delete or read)';
  if (format === 'debezium-json') {
    const source: Row = { db: v.database ?? null, table: v.table ?? null, position: v.position ?? null, gtid: v.gtid ?? null };
    return [{ before: v.before ?? null, after: v.after ?? null, op: debeziumOp[op], ts_ms: ts, source }];
  }
  if (op === 'insert' || op === 'read') return [{ data: v.after ?? null, op: '+I' }];
  if (op === 'delete') return [{ data: v.before ?? null, op: '-D' }];
  return [
    { data: v.before ?? null, op: '-U' },
    { data: v.after ?? null, op: '+U' },
  ];
}

/**
 * The `changelog` stage: binlog row changes (the `binlog` source's records) as a changelog for
 * the transport. Each output record is keyed by the row's primary key (its JSON), so a keyed
 * topic keeps a row's changes in order, and has stream `<db>.<table>`, so a kafka sink with
 * `topic: cdc.{stream}` writes one topic per table. The source's heartbeats pass as
 * `{ op: 'heartbeat', source: { db, table, position, gtid }, ts_ms }` in the table's stream.
 * Records that are no row change are dead-lettered.
 *
 * @example
 * stages:
 *   changes: { kind: changelog, inputs: [shop], format: changelog-json }
 */
export const changelogKind = defineStage({
  name: 'changelog',
  example: { format: 'changelog-json' },
  description: 'Writes binlog row changes as Flink changelog-json or Debezium JSON, keyed by primary key, one stream per table.',
  config: changelogConfig,
  create(config: z.output<typeof changelogConfig>) {
    return {
      process(batch) {
        const records: LogRecord[] = [];
        const dead: DeadRecord[] = [];
        for (const record of batch.records) {
          const v = record.value;
          const values = typeof v === 'object' && !(v instanceof Uint8Array) ? changelogValues(v, config.format, record.ts) : 'not a binlog row change (a structure)';
          if (typeof values === 'string') {
            dead.push({ record, reason: values });
            continue;
          }
          const stream = `${String((v as Row).database)}.${String((v as Row).table)}`;
          const key = JSON.stringify((v as Row).pk ?? null);
          for (const value of values) records.push({ value, key, stream, ts: record.ts });
        }
        return dead.length > 0 ? { records, dead } : { records };
      },
    };
  },
});
