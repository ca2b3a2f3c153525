import type mysql from 'mysql2/promise';
import { mysqlDriver } from '../db/mysql-driver.js';
import { InvalidConfig } from '../core/errors.js';
import { classifyConnectionErrors } from '../db/connection-errors.js';
import { positionLabel, type BinlogPosition } from './position.js';

/** Where to connect, from the source's url. */
export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  password: string;
}

export function serverAddress(url: string): ServerAddress {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port === '' ? 3306 : Number(u.port),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

type Row = Record<string, unknown>;

/** The privileges a binlog reader needs, with the names SHOW GRANTS may list them under. */
const needed = [
  { privilege: 'REPLICATION SLAVE', shownAs: ['REPLICATION SLAVE', 'REPLICATION REPLICA'] },
  // MariaDB 10.5+ shows REPLICATION CLIENT as BINLOG MONITOR.
  { privilege: 'REPLICATION CLIENT', shownAs: ['REPLICATION CLIENT', 'BINLOG MONITOR'] },
];

/** The privileges of `needed` that no global grant of the current user gives. */
function missingPrivileges(grants: string[]): string[] {
  const global = grants.filter((g) => /\bON \*\.\* TO\b/i.test(g)).map((g) => g.toUpperCase());
  if (global.some((g) => g.startsWith('GRANT ALL PRIVILEGES'))) return [];
  return needed.filter((n) => !global.some((g) => n.shownAs.some((s) => g.includes(s)))).map((n) => n.privilege);
}

/**
 * What the server says before the binlog is read: its binary logs (oldest first) and current end.
 * Throws {@link InvalidConfig} for what restarting cannot fix: binlog off or not in ROW format, a
 * missing privilege (named), and a saved position whose file the server has purged.
 */
export async function checkServer(address: ServerAddress, saved: BinlogPosition | undefined): Promise<{ files: string[]; end: BinlogPosition }> {
  const where = `${address.user}@${address.host}:${address.port}`;
  const conn = await classifyConnectionErrors(`binlog source: connecting to ${where}`, () =>
    mysqlDriver().createConnection({ ...address, connectTimeout: 5000 }),
  );
  try {
    const [vars] = await conn.query<mysql.RowDataPacket[]>("SELECT @@log_bin AS logBin, @@binlog_format AS format, @@binlog_row_image AS image");
    const v = vars[0] as Row;
    if (Number(v.logBin) !== 1) throw new InvalidConfig(`binlog source: ${where} has the binary log off (log_bin=OFF); start the server with log-bin and binlog_format=ROW`);
    if (v.format !== 'ROW') throw new InvalidConfig(`binlog source: ${where} has binlog_format=${String(v.format)}; row changes need binlog_format=ROW (SET GLOBAL binlog_format=ROW and in the server config)`);
    const [grantRows] = await conn.query<mysql.RowDataPacket[]>('SHOW GRANTS');
    const missing = missingPrivileges(grantRows.map((r) => String(Object.values(r)[0])));
    if (missing.length > 0)
      throw new InvalidConfig(`binlog source: user ${address.user} lacks ${missing.join(' and ')} on *.*; GRANT ${missing.join(', ')} ON *.* TO the user`);
    const [logs] = await conn.query<mysql.RowDataPacket[]>('SHOW BINARY LOGS');
    const files = logs.map((r) => String((r as Row).Log_name));
    if (saved !== undefined && !files.includes(saved.file))
      throw new InvalidConfig(
        `binlog source: the saved position ${positionLabel(saved)} is no longer on the server (purged; oldest binlog is ${files[0] ?? 'none'}); changes since then are lost to this source: remove its checkpoint to start again from start: current/earliest`,
      );
    const [status] = await conn.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS');
    const s = status[0] as Row | undefined;
    if (s === undefined) throw new InvalidConfig(`binlog source: ${where} reports no binlog (SHOW MASTER STATUS is empty)`);
    // MariaDB's GTID position; MySQL lists its executed GTID set in SHOW MASTER STATUS.
    const gtid = s.Executed_Gtid_Set ?? (((await conn.query<mysql.RowDataPacket[]>('SELECT @@gtid_binlog_pos AS pos'))[0][0] as Row | undefined)?.pos);
    return { files, end: { file: String(s.File), pos: Number(s.Position), gtid: String(gtid ?? '') } };
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** The binlog position of the open consistent snapshot (MariaDB's binlog_snapshot_file/position). */
export async function snapshotPosition(conn: mysql.Connection, address: ServerAddress): Promise<BinlogPosition> {
  const [status] = await conn.query<mysql.RowDataPacket[]>("SHOW STATUS WHERE Variable_name IN ('binlog_snapshot_file', 'binlog_snapshot_position')");
  const [gtid] = await conn.query<mysql.RowDataPacket[]>('SELECT @@gtid_binlog_pos AS pos');
  const v = new Map(status.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value)]));
  const file = v.get('binlog_snapshot_file');
  const pos = Number(v.get('binlog_snapshot_position'));
  if (file === undefined || file === '' || !Number.isInteger(pos))
    throw new Error(`binlog source: ${address.host}:${address.port} gave no binlog position for a consistent snapshot (binlog_snapshot_file/position; MariaDB has them, MySQL does not)`);
  return { file, pos, gtid: String((gtid[0] as { pos?: unknown } | undefined)?.pos ?? '') };
}
