import type { Json, LogRecord } from '../../streams/record.js';
import type { ColumnConfig, ColumnType } from './config.js';

/** One column value as the Parquet encoder takes it (int64 as bigint, timestamp as ms). */
export type Cell = string | bigint | number | boolean | null;

/** A row that does not fit the schema: which field and why. */
export interface RowError {
  readonly field: string;
  readonly reason: string;
}

/** A record made a row: its cells in column order and its partition time (ms). */
export interface Row {
  readonly cells: Cell[];
  readonly time: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Turns records into rows of the configured columns (see the `columns` setting). */
export class RowReader {
  private readonly paths: string[][];
  private readonly timePath: string[] | undefined;

  constructor(
    private readonly columns: readonly ColumnConfig[],
    timeField: string | undefined,
  ) {
    this.paths = columns.map((c) => (c.field ?? c.name).split('.'));
    this.timePath = timeField?.split('.');
  }

  read(record: LogRecord): Row | RowError {
    const value = structured(record.value);
    if (typeof value === 'string') return { field: '(record)', reason: value };
    const cells: Cell[] = new Array<Cell>(this.columns.length);
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i] as ColumnConfig;
      const path = this.paths[i] as string[];
      const raw = at(value, path);
      if (raw === undefined || raw === null) {
        if (column.required) return { field: path.join('.'), reason: raw === null ? 'null in a required column' : 'missing in a required column' };
        cells[i] = null;
        continue;
      }
      const cell = convert(raw, column.type);
      if (typeof cell === 'object' && cell !== null) return { field: path.join('.'), reason: cell.reason };
      cells[i] = cell;
    }
    if (this.timePath === undefined) return { cells, time: record.ts };
    const field = this.timePath.join('.');
    const raw = at(value, this.timePath);
    if (raw === undefined || raw === null) return { field, reason: 'the partition time field is missing' };
    const time = convert(raw, 'timestamp');
    if (typeof time !== 'number') return { field, reason: typeof time === 'object' && time !== null ? time.reason : 'not a time' };
    return { cells, time };
  }
}

/** The record's payload as an object, or why it is not one. */
function structured(value: LogRecord['value']): { [key: string]: Json } | string {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : decoder.decode(value));
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return `expected a JSON object, found ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed}`;
  return parsed as { [key: string]: Json };
}

function at(value: { [key: string]: Json }, path: readonly string[]): Json | undefined {
  let here: Json | undefined = value;
  for (const key of path) {
    if (typeof here !== 'object' || here === null || Array.isArray(here)) return undefined;
    here = here[key];
  }
  return here;
}

const INTEGER = /^-?\d{1,19}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function describe(raw: Json): string {
  const text = JSON.stringify(raw);
  return `${Array.isArray(raw) ? 'an array' : typeof raw} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

function convert(raw: Json, type: ColumnType): Cell | RowError {
  switch (type) {
    case 'string':
      return typeof raw === 'string' ? raw : { field: '', reason: `expected a string, found ${describe(raw)}` };
    case 'double':
      return typeof raw === 'number' ? raw : { field: '', reason: `expected a number, found ${describe(raw)}` };
    case 'boolean':
      return typeof raw === 'boolean' ? raw : { field: '', reason: `expected true or false, found ${describe(raw)}` };
    case 'int64': {
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return BigInt(raw);
      if (typeof raw === 'string' && INTEGER.test(raw)) {
        const n = BigInt(raw);
        if (n >= INT64_MIN && n <= INT64_MAX) return n;
      }
      return { field: '', reason: `expected a 64-bit integer, found ${describe(raw)}` };
    }
    case 'timestamp': {
      if (typeof raw === 'number' && Number.isFinite(raw)) return Math.trunc(raw);
      if (typeof raw === 'string') {
        const ms = Date.parse(raw);
        if (!Number.isNaN(ms)) return ms;
      }
      return { field: '', reason: `expected a time (ms since the epoch or ISO-8601), found ${describe(raw)}` };
    }
  }
}
