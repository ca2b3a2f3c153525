import type { DeleteRowsEvent, TableMapEntry, TableMapEvent, UpdateRowsEvent, WriteRowsEvent } from '@vlasky/zongji';
import type { Json, LogRecord } from '../streams/record.js';
import { rowValues, type ColumnTypes } from './values.js';

export type RowsEvent = WriteRowsEvent | UpdateRowsEvent | DeleteRowsEvent;

/** What a rows event tells about where it sits: its transaction and binlog position. */
export interface EventPlace {
  gtid: string | undefined;
  /** `file:pos`, the position after the rows event. */
  position: string;
  /** Index of the first row of this event within its transaction. */
  firstRow: number;
}

/** Column name → type code of a table map entry. */
function columnTypes(table: TableMapEntry): ColumnTypes {
  return new Map((table.columns ?? []).map((c) => [c.name, c.type]));
}

/** Primary key column names of a table map event (binlog_row_metadata=FULL), in key order. */
export function keyColumns(event: TableMapEvent): string[] {
  const names = event.columnNames ?? [];
  return (event.primaryKey ?? []).map((i) => names[i]).filter((n): n is string => n !== undefined);
}

const op = { writerows: 'insert', updaterows: 'update', deleterows: 'delete' } as const;

/**
 * One record per row of a rows event: `{ database, table, op, before, after, pk, gtid, position,
 * row }` with `ts` the event time. `before` is null for inserts and `after` for deletes; `pk` maps
 * the primary key columns to their values (null when the table has none or the server does not
 * log it); `row` numbers the rows of a transaction from 0, so `(gtid, row)` names a row change.
 */
export function rowRecords(event: RowsEvent, keys: readonly string[], place: EventPlace): LogRecord[] {
  const table = event.tableMap[event.tableId];
  if (table === undefined) throw new Error(`binlog rows event for unknown table id ${event.tableId} at ${place.position}`);
  const types = columnTypes(table);
  const kind = op[event.getEventName()];
  const pairs: [Record<string, unknown> | null, Record<string, unknown> | null][] =
    event.getEventName() === 'updaterows'
      ? (event as UpdateRowsEvent).rows.map((r) => [r.before, r.after])
      : (event as WriteRowsEvent | DeleteRowsEvent).rows.map((r) => (kind === 'insert' ? [null, r] : [r, null]));
  return pairs.map(([before, after], i): LogRecord => {
    const b = before === null ? null : rowValues(before, types);
    const a = after === null ? null : rowValues(after, types);
    const image = a ?? b ?? {};
    let pk: Json = null;
    if (keys.length > 0) {
      const values: { [column: string]: Json } = {};
      for (const k of keys) values[k] = image[k] ?? null;
      pk = values;
    }
    const value: { [key: string]: Json } = {
      database: table.parentSchema,
      table: table.tableName,
      op: kind,
      before: b,
      after: a,
      pk,
      gtid: place.gtid ?? null,
      position: place.position,
      row: place.firstRow + i,
    };
    return { value, key: `${table.parentSchema}.${table.tableName}:${JSON.stringify(pk)}`, ts: event.timestamp };
  });
}
