import type mysql from 'mysql2/promise';
import { mysqlDriver } from '../db/mysql-driver.js';
import { classifyConnectionErrors } from '../db/connection-errors.js';
import type { Json } from '../streams/record.js';
import type { BinlogPosition } from './position.js';
import { snapshotPosition, type ServerAddress } from './server-checks.js';
import { unusableReason, watchRule, watchTableDdl, type WatchRule } from './watch.js';

/** An enabled watch table row that gives no rule, with why. */
export interface UnusableRow {
  id: number;
  unusable: string;
}

/** The rules of watch table `name`, read on `conn` (inside its transaction, if one is open). */
export async function readWatchTable(conn: mysql.Connection, name: string): Promise<{ rules: WatchRule[]; unusable: UnusableRow[] }> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT * FROM ${name}`);
  const rules = rows.map((r) => watchRule(r as { [column: string]: Json })).filter((r): r is WatchRule => r !== undefined);
  const unusable = rows.flatMap((r) => {
    const reason = unusableReason(r as { [column: string]: Json });
    return reason === undefined ? [] : [{ id: Number(r.id), unusable: reason }];
  });
  return { rules, unusable };
}

/**
 * Creates the watch table `db.table` when missing and reads its rules in a consistent snapshot,
 * with the binlog position of that snapshot (MariaDB's binlog_snapshot_file/position): the rules
 * hold exactly up to that position, and the watch table's row changes after it update them.
 */
export async function watchSnapshot(address: ServerAddress, name: string): Promise<{ rules: WatchRule[]; unusable: UnusableRow[]; at: BinlogPosition }> {
  const conn = await classifyConnectionErrors(`binlog source: connecting to ${address.host}:${address.port}`, () =>
    mysqlDriver().createConnection({ ...address, connectTimeout: 5000, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true }),
  );
  try {
    await conn.query(watchTableDdl(name));
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    const watch = await readWatchTable(conn, name);
    const at = await snapshotPosition(conn, address);
    await conn.query('COMMIT');
    return { ...watch, at };
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/**
 * For each of `rules`, what keeps it from ever giving a metric on this server (its table missing,
 * or named fields that are not columns of it), or undefined when it can: one connection and one
 * query for all of them.
 */
export async function watchRuleProblems(address: ServerAddress, rules: readonly WatchRule[]): Promise<Map<number, string | undefined>> {
  const out = new Map<number, string | undefined>();
  if (rules.length === 0) return out;
  const conn = await classifyConnectionErrors(`binlog source: connecting to ${address.host}:${address.port}`, () =>
    mysqlDriver().createConnection({ ...address, connectTimeout: 5000 }),
  );
  try {
    const [cols] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT TABLE_SCHEMA AS db, TABLE_NAME AS tbl, COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE (TABLE_SCHEMA, TABLE_NAME) IN (?)',
      [rules.map((r) => [r.db, r.tbl])],
    );
    const columns = new Map<string, Set<string>>();
    for (const c of cols) {
      const key = `${String(c.db)}.${String(c.tbl)}`;
      columns.set(key, (columns.get(key) ?? new Set()).add(String(c.name)));
    }
    for (const rule of rules) out.set(rule.id, problemOf(rule, columns.get(`${rule.db}.${rule.tbl}`)));
    return out;
  } finally {
    await conn.end().catch(() => undefined);
  }
}

function problemOf(rule: WatchRule, have: ReadonlySet<string> | undefined): string | undefined {
  if (have === undefined) return `table ${rule.db}.${rule.tbl} does not exist: no metric comes from this rule until it is created`;
  if (rule.fields.trim() === '*numeric') return undefined;
  const absent = rule.fields.split(',').map((f) => f.trim()).filter((f) => f !== '' && !have.has(f));
  return absent.length === 0 ? undefined : `${rule.db}.${rule.tbl} has no column ${absent.join(', ')}: those fields give no metric`;
}
