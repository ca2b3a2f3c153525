import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMariaDb, type MariaDbHandle } from './server.js';

interface VariableRow extends RowDataPacket {
  Variable_name: string;
  Value: string;
}

interface EventRow extends RowDataPacket {
  id: number;
  body: string;
  n: number;
}

describe('MariaDB test infrastructure', () => {
  let db: MariaDbHandle | undefined;
  let conn: mysql.Connection | undefined;
  const table = `infra_probe_${process.pid}_${Date.now()}`;

  beforeAll(async () => {
    db = await ensureMariaDb('a', 13306);
    conn = await mysql.createConnection({
      host: db.host,
      port: db.port,
      user: db.user,
      password: db.password,
      database: db.database,
    });
  }, 600_000);

  afterAll(async () => {
    if (conn) {
      await conn.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => undefined);
      await conn.end();
    }
    await db?.stop();
  }, 120_000);

  it('creates a table, inserts rows and reads them back over TCP with mysql2', async () => {
    if (!conn) throw new Error('not connected');
    await conn.query(
      `CREATE TABLE \`${table}\` (id INT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(255) NOT NULL, n INT NOT NULL) ENGINE=InnoDB`,
    );
    await conn.query(`INSERT INTO \`${table}\` (body, n) VALUES (?, ?), (?, ?), (?, ?)`, [
      'alpha',
      1,
      'βeta ✓',
      2,
      'gamma',
      3,
    ]);
    await conn.query(`UPDATE \`${table}\` SET n = n * 10 WHERE body = ?`, ['gamma']);
    const [rows] = await conn.query<EventRow[]>(`SELECT id, body, n FROM \`${table}\` ORDER BY id`);
    expect(rows.map((r) => [r.body, r.n])).toEqual([
      ['alpha', 1],
      ['βeta ✓', 2],
      ['gamma', 30],
    ]);
  });

  it('has the binlog on in ROW format with full row images, readable by the millrace user', async () => {
    if (!conn) throw new Error('not connected');
    const [vars] = await conn.query<VariableRow[]>(
      "SHOW VARIABLES WHERE Variable_name IN ('binlog_format', 'log_bin', 'binlog_row_image', 'server_id')",
    );
    const v = Object.fromEntries(vars.map((r) => [r.Variable_name, r.Value]));
    expect(v).toMatchObject({ binlog_format: 'ROW', log_bin: 'ON', binlog_row_image: 'FULL' });
    if (!process.env.MILLRACE_MYSQL_URL) expect(v.server_id).toBe('1');

    const [fmt] = await conn.query<VariableRow[]>("SHOW VARIABLES LIKE 'binlog_format'");
    expect(fmt[0]?.Value).toBe('ROW');

    // REPLICATION CLIENT lets the user see the binlog position a CDC reader starts from.
    const [master] = await conn.query<RowDataPacket[]>('SHOW MASTER STATUS');
    expect(master.length).toBe(1);
    expect(String(master[0]?.File)).toMatch(/\.\d{6}$/);
    expect(Number(master[0]?.Position)).toBeGreaterThan(0);
  });
});
