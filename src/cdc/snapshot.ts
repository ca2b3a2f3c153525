import type mysqlCore from 'mysql2';
import type mysql from 'mysql2/promise';
import { classifyConnectionErrors } from '../db/connection-errors.js';
import { mysqlCoreDriver } from '../db/mysql-driver.js';
import type { Json, LogRecord } from '../streams/record.js';
import type { BinlogPosition } from './position.js';
import { snapshotPosition, type ServerAddress } from './server-checks.js';
import type { TableFilter } from './transactions.js';
import { columnValue, TIMESTAMP_TYPE } from './values.js';
import { watchTableDdl, type WatchRule } from './watch.js';
import { readWatchTable, type UnusableRow } from './watch-table.js';

/** Schemas of the server itself, never snapshotted. */
const SYSTEM_SCHEMAS = ['mysql', 'information_schema', 'performance_schema', 'sys'];

interface SnapshotTable {
  database: string;
  table: string;
  /** Column name → information_schema DATA_TYPE. */
  types: Map<string, string>;
  keys: string[];
}

type Row = Record<string, unknown>;

/**
 * A column value as the snapshot's query returns it, made the same as the binlog decoder makes
 * it (values.ts): BIGINT within 2^53 a number, FLOAT the single-precision value the binlog holds.
 */
function snapshotValue(value: unknown, dataType: string | undefined): Json {
  if (dataType === 'bigint' && typeof value === 'string' && Number.isSafeInteger(Number(value))) return Number(value);
  if (dataType === 'float' && typeof value === 'number') return Math.fround(value);
  return columnValue(value, dataType === 'timestamp' ? TIMESTAMP_TYPE : undefined);
}

/**
 * The current rows of the read tables, read in one consistent snapshot (REPEATABLE READ, `START
 * TRANSACTION WITH CONSISTENT SNAPSHOT`) whose binlog position is known: records of op `read`
 * for every row, then the binlog from exactly that position, so nothing is missed or doubled at
 * the seam. With a watch table its rules come from the same snapshot.
 */
export class TableSnapshot {
  private constructor(
    /** The callback connection streams the table scans; `conn` is the same connection's promise face. */
    private readonly core: mysqlCore.Connection,
    private readonly conn: mysql.Connection,
    /** Where the binlog continues after the snapshot; `watch` holds the rules in the snapshot. */
    readonly at: BinlogPosition,
    private readonly tables: SnapshotTable[],
    private readonly rules: WatchRule[],
    /** Enabled watch table rows that give no rule, with why. */
    readonly unusable: UnusableRow[],
  ) {}

  static async open(address: ServerAddress, keep: TableFilter, watchTable: string | undefined): Promise<TableSnapshot> {
    const core = mysqlCoreDriver().createConnection({
      ...address,
      connectTimeout: 5000,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      // JSON as the server's text, as the binlog carries it (not parsed and re-serialised).
      jsonStrings: true,
    });
    const conn = core.promise();
    try {
      await classifyConnectionErrors(`binlog source: connecting to ${address.host}:${address.port} for the snapshot`, () => conn.connect());
      if (watchTable !== undefined) await conn.query(watchTableDdl(watchTable));
      await conn.query("SET time_zone = '+00:00'");
      await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
      const { rules, unusable } = watchTable === undefined ? { rules: [], unusable: [] } : await readWatchTable(conn, watchTable);
      const at = await snapshotPosition(conn, address);
      const tables = await readTables(conn, keep, watchTable);
      return new TableSnapshot(core, conn, { ...at, ...(watchTable === undefined ? {} : { watch: rules }) }, tables, rules, unusable);
    } catch (err) {
      await conn.end().catch(() => undefined);
      throw err;
    }
  }

  /**
   * The snapshot's records in batches of at most `maxRows`, table after table; the last batch is
   * marked (it has no records only when every table is empty). `ts` of every record is `now`,
   * the snapshot's time.
   */
  async *batches(maxRows: number, now: number): AsyncGenerator<{ records: LogRecord[]; last: boolean }> {
    // One batch held back, so the last one with records is the one marked last.
    let ready: LogRecord[] | undefined;
    let pending: LogRecord[] = [];
    let row = 0;
    for (const t of this.tables) {
      const watch = this.rules.filter((r) => r.db === t.database && r.tbl === t.table).map((r): Json => ({ ...r }));
      const query = this.core.query(`SELECT * FROM \`${t.database}\`.\`${t.table}\``);
      for await (const raw of query.stream() as AsyncIterable<Row>) {
        pending.push(this.record(t, raw, row++, watch, now));
        if (pending.length < maxRows) continue;
        if (ready !== undefined) yield { records: ready, last: false };
        ready = pending;
        pending = [];
      }
    }
    if (pending.length > 0) {
      if (ready !== undefined) yield { records: ready, last: false };
      ready = pending;
    }
    yield { records: ready ?? [], last: true };
  }

  private record(t: SnapshotTable, raw: Row, row: number, watch: Json[], now: number): LogRecord {
    const after: { [column: string]: Json } = {};
    for (const [column, value] of Object.entries(raw)) after[column] = snapshotValue(value, t.types.get(column));
    let pk: Json = null;
    if (t.keys.length > 0) pk = Object.fromEntries(t.keys.map((k) => [k, after[k] ?? null]));
    const value: { [key: string]: Json } = {
      database: t.database,
      table: t.table,
      op: 'read',
      before: null,
      after,
      pk,
      gtid: this.at.gtid === '' ? null : this.at.gtid,
      position: `${this.at.file}:${this.at.pos}`,
      row,
    };
    if (this.at.watch !== undefined) value.watch = watch;
    return { value, key: `${t.database}.${t.table}:${JSON.stringify(pk)}`, ts: now };
  }

  /** Ends the snapshot: its read-only transaction needs no commit, and a scan may be mid-way. */
  close(): Promise<void> {
    this.core.destroy();
    return Promise.resolve();
  }
}

/** The base tables the filter keeps (the watch table aside), with column types and primary keys. */
async function readTables(conn: mysql.Connection, keep: TableFilter, watchTable: string | undefined): Promise<SnapshotTable[]> {
  const [tables] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS name FROM information_schema.TABLES
     WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN (?) ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    [SYSTEM_SCHEMAS],
  );
  const out: SnapshotTable[] = [];
  for (const t of tables) {
    const database = String(t.db);
    const table = String(t.name);
    if (`${database}.${table}` === watchTable || !keep(database, table)) continue;
    const [cols] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [database, table],
    );
    const [keys] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
      [database, table],
    );
    out.push({
      database,
      table,
      types: new Map(cols.map((c) => [String(c.name), String(c.type).toLowerCase()])),
      keys: keys.map((k) => String(k.name)),
    });
  }
  return out;
}
