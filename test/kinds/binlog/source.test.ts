// The binlog source against a real MariaDB 10.11 (ROW, FULL image and metadata), instance "cdc":
// every column type round-trips into the record with its exact value; a restart resumes exactly
// after the committed transaction; unusable servers, users and positions fail with what to fix.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfig } from '../../../src/core/errors.js';
import type { LogRecord } from '../../../src/streams/record.js';
import { eventually } from '../../kit/eventually.js';
import type { MariaDbHandle } from '../../infra/mariadb/server.js';
import { sql, uniqueTable } from '../database/mariadb.js';
import { columns, expected, row } from './type-table.js';
import { asRoot, binlogSource, ensureCdcServer, readRecords, session, valueOf } from './server.js';

describe('binlog source on a real MariaDB', () => {
  let server: MariaDbHandle;
  const table = uniqueTable('types');
  const changes = uniqueTable('changes');
  const previousTz = process.env.TZ;

  beforeAll(async () => {
    // TIMESTAMP must come out in UTC whatever the zone of the process reading it.
    process.env.TZ = 'Asia/Tokyo';
    server = await ensureCdcServer();
    await sql(server, `CREATE TABLE ${table} (${columns})`);
    await sql(server, `CREATE TABLE ${changes} (id INT PRIMARY KEY, n INT)`);
  }, 300_000);

  afterAll(async () => {
    process.env.TZ = previousTz;
    await sql(server, `DROP TABLE IF EXISTS ${table}`);
    await sql(server, `DROP TABLE IF EXISTS ${changes}`);
    await server.stop();
  });

  it('carries every column type exactly through insert, update and delete, with pk, GTID and position', async () => {
    const io = binlogSource(server, [`millrace.${table}`]);
    await io.connect();
    // The TIMESTAMP literal is read in the session's zone: +09:00, so 08:59 the next day is 23:59 UTC.
    await session(server, ["SET time_zone = '+09:00'", `INSERT INTO ${table} VALUES ${row}`]);
    await sql(server, `UPDATE ${table} SET vc = NULL, bu = 1 WHERE id = 1`);
    await sql(server, `DELETE FROM ${table} WHERE id = 1`);
    const records = await readRecords(io, 3);
    await io.close();
    const [ins, upd, del] = records.map(valueOf);
    expect(ins).toMatchObject({ database: 'millrace', table, op: 'insert', before: null, after: expected, pk: { id: 1 }, row: 0 });
    expect(upd).toMatchObject({ op: 'update', before: expected, after: { ...expected, vc: null, bu: 1 }, pk: { id: 1 } });
    expect(del).toMatchObject({ op: 'delete', before: { ...expected, vc: null, bu: 1 }, after: null, pk: { id: 1 } });
    expect(ins?.gtid).toMatch(/^\d+-\d+-\d+$/);
    expect(ins?.position).toMatch(/^mariadb-bin\.\d{6}:\d+$/);
    expect(new Set(records.map((r) => valueOf(r).gtid)).size, 'three transactions').toBe(3);
    expect(Math.abs((records[0]?.ts ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  /** Transaction `t`: insert two rows, update one, delete the other (four row changes). */
  const transaction = (t: number): string[] => [
    'BEGIN',
    `INSERT INTO ${changes} VALUES (${2 * t}, ${t}), (${2 * t + 1}, ${t})`,
    `UPDATE ${changes} SET n = n + 100 WHERE id = ${2 * t}`,
    `DELETE FROM ${changes} WHERE id = ${2 * t + 1}`,
    'COMMIT',
  ];
  const change = (r: LogRecord): string => `${String(valueOf(r).gtid)}#${String(valueOf(r).row)}`;

  it('hands out whole transactions and, after a restart, resumes exactly after the committed one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-binlog-'));
    const first = binlogSource(server, [`millrace.${changes}`], dir, { maxBatchRows: 6 });
    await first.connect();
    for (let t = 0; t < 10; t++) await session(server, transaction(t));
    const batches: LogRecord[][] = [];
    for (let i = 0; i < 4; i++) batches.push((await first.read()).records);
    // A batch holds whole transactions: 4 changes each, never more than one under maxBatchRows 6.
    expect(batches.map((b) => b.length)).toEqual([4, 4, 4, 4]);
    expect(batches.map((b) => new Set(b.map((r) => valueOf(r).gtid)).size)).toEqual([1, 1, 1, 1]);
    const acked = await first.read();
    const unacked = await first.read();
    await first.commit(acked.position);
    await first.close();

    const second = binlogSource(server, [`millrace.${changes}`], dir);
    await second.connect();
    const again = await readRecords(second, 20);
    await second.close();
    const before = [...batches.flat(), ...acked.records].map(change);
    expect(again.map(change).filter((c) => before.includes(c)), 'committed changes read again').toEqual([]);
    expect(again.slice(0, 4).map(change), 'the unacked transaction comes first').toEqual(unacked.records.map(change));
    expect(again.map((r) => valueOf(r).after ?? valueOf(r).before)).toEqual(
      Array.from({ length: 5 }, (_, k) => k + 5).flatMap((t) => [{ id: 2 * t, n: t }, { id: 2 * t + 1, n: t }, { id: 2 * t, n: t + 100 }, { id: 2 * t + 1, n: t }]),
    );
  });

  it('rejects a server whose binlog_format is not ROW, naming it', async () => {
    await sql(server, "SET GLOBAL binlog_format = 'MIXED'");
    try {
      const io = binlogSource(server, [`millrace.${changes}`]);
      const failed = io.connect();
      await expect(failed).rejects.toBeInstanceOf(InvalidConfig);
      await expect(failed).rejects.toThrow(/binlog_format=MIXED; row changes need binlog_format=ROW/);
    } finally {
      await sql(server, "SET GLOBAL binlog_format = 'ROW'");
    }
  });

  it.each([
    ['SELECT', 'REPLICATION SLAVE and REPLICATION CLIENT'],
    ['SELECT, REPLICATION SLAVE', 'REPLICATION CLIENT'],
    ['SELECT, REPLICATION CLIENT', 'REPLICATION SLAVE'],
  ])('rejects a user granted only %s, naming %s as missing', async (grants, missing) => {
    const user = uniqueTable('u').slice(0, 30);
    await asRoot([`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY 'pw'`, `GRANT ${grants} ON *.* TO '${user}'@'127.0.0.1'`]);
    try {
      const io = binlogSource({ ...server, user, password: 'pw' }, [`millrace.${changes}`]);
      await expect(io.connect()).rejects.toThrow(new RegExp(`user ${user} lacks ${missing} on \\*\\.\\*`));
    } finally {
      await asRoot([`DROP USER '${user}'@'127.0.0.1'`]);
    }
  });

  it('rejects a saved position the server has purged, saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-binlog-'));
    const first = binlogSource(server, [`millrace.${changes}`], dir);
    await first.connect();
    await first.close();
    const [current] = await asRoot(['FLUSH BINARY LOGS', 'SHOW MASTER STATUS']);
    const file = String(current?.File);
    // The server keeps files that a dump thread still reads or crash recovery may need (until its
    // binlog checkpoint moves on): purge until only the current file is left.
    await eventually(async () => (await asRoot([`PURGE BINARY LOGS TO '${file}'`, 'SHOW BINARY LOGS'])).every((l) => l.Log_name === file), {
      what: `binlogs purged up to ${file}`,
    });
    const second = binlogSource(server, [`millrace.${changes}`], dir);
    const failed = second.connect();
    await expect(failed).rejects.toBeInstanceOf(InvalidConfig);
    await expect(failed).rejects.toThrow(/saved position mariadb-bin\.\d+:\d+ .*is no longer on the server \(purged; oldest binlog is mariadb-bin/);
  });

  it('gives each row change the watch rules in force at its place in the binlog: a watch row added mid-stream applies after it, not before; disabling it ends it; a restart keeps them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-binlog-'));
    const watch = `millrace.${uniqueTable('watch')}`;
    const over = { watch, maxBatchRows: 1 };
    const first = binlogSource(server, [`millrace.${changes}`], dir, over);
    await first.connect();
    const [master] = await sql(server, 'SHOW MASTER STATUS');
    // It starts at the watch table snapshot's position: the end of the binlog, nothing older.
    expect(first.status?.().read).toMatch(new RegExp(`^${String(master?.File)}:${String(master?.Position)} `));
    const [created] = await sql(server, `SELECT count(*) AS n FROM ${watch}`);
    expect(created, 'watch table created').toEqual({ n: 0 });
    await sql(server, `INSERT INTO ${changes} VALUES (1001, 1)`);
    await sql(server, `INSERT INTO ${watch} (db, tbl, endpoint, step, tags) VALUES ('millrace', '${changes}', 'db-host', 30, 'team=shop')`);
    await sql(server, `INSERT INTO ${changes} VALUES (1002, 2)`);
    const before = await first.read();
    const after = await first.read();
    await first.commit(after.position);
    await first.close();
    const rule = { db: 'millrace', tbl: changes, fields: '*numeric', endpoint: 'db-host', step: 30, counterType: 'GAUGE', tags: 'team=shop', aggregation: 'last' };
    expect(before.records.map((r) => valueOf(r).watch)).toEqual([[]]);
    expect(after.records.map((r) => valueOf(r).watch)).toEqual([[expect.objectContaining(rule)]]);

    await sql(server, `INSERT INTO ${changes} VALUES (1003, 3)`);
    await sql(server, `UPDATE ${watch} SET enabled = 0`);
    await sql(server, `INSERT INTO ${changes} VALUES (1004, 4)`);
    // The restart resumes with the rules saved with the position: the watch row's insert is before it.
    const second = binlogSource(server, [`millrace.${changes}`], dir, over);
    await second.connect();
    const rest = await readRecords(second, 2);
    await second.close();
    expect(rest.map((r) => [valueOf(r).after, valueOf(r).watch])).toEqual([
      [{ id: 1003, n: 3 }, [expect.objectContaining(rule)]],
      [{ id: 1004, n: 4 }, []],
    ]);
    await sql(server, `DROP TABLE ${watch}`);
  });

  it('names every watch rule that can give no metric (table or column missing, row unusable) in status, at start and as rules change', async () => {
    const watch = `millrace.${uniqueTable('watch')}`;
    const missing = uniqueTable('absent');
    await session(server, [
      `CREATE TABLE ${watch} (id INT AUTO_INCREMENT PRIMARY KEY, db VARCHAR(64) NOT NULL, tbl VARCHAR(64) NOT NULL, fields VARCHAR(1024) NOT NULL DEFAULT '*numeric', endpoint VARCHAR(255) NOT NULL, step INT NOT NULL DEFAULT 60, counter_type ENUM('GAUGE','COUNTER') NOT NULL DEFAULT 'GAUGE', tags VARCHAR(1024) NOT NULL DEFAULT '', aggregation ENUM('last','sum','max','min') NOT NULL DEFAULT 'last', enabled TINYINT(1) NOT NULL DEFAULT 1)`,
      `INSERT INTO ${watch} (id, db, tbl, fields, endpoint, step) VALUES (1, 'millrace', '${missing}', '*numeric', 'h', 60), (2, 'millrace', '${changes}', 'n, nope', 'h', 60), (3, 'millrace', '${changes}', '*numeric', 'h', 0), (4, 'millrace', '${changes}', 'n', 'h', 60)`,
    ]);
    const io = binlogSource(server, [`millrace.${changes}`], undefined, { watch });
    await io.connect();
    try {
      const problems = (): Record<string, string> => io.status?.().watchProblems as Record<string, string>;
      await eventually(() => Object.keys(problems()).length === 3, { what: 'three watch problems' });
      expect(problems()).toEqual({
        '1': `table millrace.${missing} does not exist: no metric comes from this rule until it is created`,
        '2': `millrace.${changes} has no column nope: those fields give no metric`,
        '3': 'step must be a positive number of seconds, not 0',
      });
      // Fixing a row clears its problem; a new bad row adds one, as the binlog brings the change.
      await sql(server, `UPDATE ${watch} SET step = 30 WHERE id = 3`);
      await sql(server, `INSERT INTO ${watch} (id, db, tbl, endpoint) VALUES (5, 'nodb', 'nothing', 'h')`);
      await eventually(() => problems()['5'] !== undefined && problems()['3'] === undefined, { what: 'rule 3 fixed, rule 5 flagged' });
      expect(problems()['5']).toBe('table nodb.nothing does not exist: no metric comes from this rule until it is created');
    } finally {
      await io.close();
      await sql(server, `DROP TABLE ${watch}`);
    }
  });

  it('decodes each row with the columns in force when it was written, across ADD, DROP, RENAME and reorder read after all of them', async () => {
    const evolving = uniqueTable('ddl');
    await sql(server, `CREATE TABLE ${evolving} (id INT PRIMARY KEY, a INT, b VARCHAR(10))`);
    const io = binlogSource(server, [`millrace.${evolving}`]);
    await io.connect();
    await sql(server, `INSERT INTO ${evolving} VALUES (1, 10, 'x')`);
    await sql(server, `ALTER TABLE ${evolving} ADD COLUMN c INT AFTER a, ADD COLUMN t DATETIME(3)`);
    await sql(server, `INSERT INTO ${evolving} VALUES (2, 20, 5, 'y', '2024-01-02 03:04:05.678')`);
    await sql(server, `ALTER TABLE ${evolving} DROP COLUMN b, DROP COLUMN t, CHANGE a a2 INT, MODIFY c INT FIRST`);
    await sql(server, `INSERT INTO ${evolving} (id, a2, c) VALUES (3, 30, 6)`);
    const records = await readRecords(io, 3);
    await io.close();
    await sql(server, `DROP TABLE ${evolving}`);
    expect(records.map((r) => Object.entries(valueOf(r).after as object))).toEqual([
      [['id', 1], ['a', 10], ['b', 'x']],
      [['id', 2], ['a', 20], ['c', 5], ['b', 'y'], ['t', '2024-01-02 03:04:05.678']],
      [['c', 6], ['id', 3], ['a2', 30]],
    ]);
  });

  it('gives a table without a primary key pk null', async () => {
    const nopk = uniqueTable('nopk');
    await sql(server, `CREATE TABLE ${nopk} (v INT)`);
    const io = binlogSource(server, [`millrace.${nopk}`]);
    await io.connect();
    await sql(server, `INSERT INTO ${nopk} VALUES (7)`);
    const [record] = await readRecords(io, 1);
    await io.close();
    await sql(server, `DROP TABLE ${nopk}`);
    expect(record?.value).toMatchObject({ op: 'insert', after: { v: 7 }, pk: null });
    expect(record?.key).toBe(`millrace.${nopk}:null`);
  });

  it('pauses the binlog connection while maxBufferedRows wait to be read, and loses nothing when it resumes', async () => {
    const burst = uniqueTable('burst');
    await sql(server, `CREATE TABLE ${burst} (id INT PRIMARY KEY)`);
    const io = binlogSource(server, [`millrace.${burst}`], undefined, { maxBufferedRows: 100, maxBatchRows: 50 });
    await io.connect();
    for (let t = 0; t < 100; t++) await sql(server, `INSERT INTO ${burst} VALUES ${Array.from({ length: 20 }, (_, i) => `(${t * 20 + i})`).join(',')}`);
    await eventually(() => io.status?.().paused === true, { what: 'the source to pause' });
    const queued = Number(io.status?.().queuedRows);
    // The pause takes effect between packets: a few transactions may still arrive after it.
    expect(queued).toBeGreaterThanOrEqual(100);
    expect(queued).toBeLessThan(1000);
    const records = await readRecords(io, 2000);
    await io.close();
    await sql(server, `DROP TABLE ${burst}`);
    expect(records.map((r) => (valueOf(r).after as { id: number }).id)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });

  it('carries a 20 MiB row whole', async () => {
    const big = uniqueTable('big');
    await sql(server, 'SET GLOBAL max_allowed_packet = 67108864');
    await sql(server, `CREATE TABLE ${big} (id INT PRIMARY KEY, b LONGBLOB)`);
    const io = binlogSource(server, [`millrace.${big}`]);
    await io.connect();
    const bytes = Buffer.alloc(20 * 1024 * 1024, 0xab);
    bytes.write('end', bytes.length - 3);
    const conn = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
    await conn.query(`INSERT INTO ${big} VALUES (1, ?)`, [bytes]);
    await conn.end();
    const [record] = await readRecords(io, 1);
    await io.close();
    await sql(server, `DROP TABLE ${big}`);
    const b = (valueOf(record as LogRecord).after as { b: { base64: string } }).b;
    expect(Buffer.from(b.base64, 'base64').equals(bytes)).toBe(true);
  }, 120_000);

  it('sends a heartbeat per quiet table every heartbeatMs, at the current position, and none for a table that changes', async () => {
    const quiet = uniqueTable('quiet');
    const busy = uniqueTable('busy');
    await sql(server, `CREATE TABLE ${quiet} (id INT PRIMARY KEY)`);
    await sql(server, `CREATE TABLE ${busy} (id INT PRIMARY KEY)`);
    const io = binlogSource(server, [`millrace.${quiet}`, `millrace.${busy}`], undefined, { heartbeatMs: 400 });
    await io.connect();
    const started = Date.now();
    const first = await io.read();
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(first.records.map((r) => [valueOf(r).op, valueOf(r).table])).toEqual([
      ['heartbeat', quiet],
      ['heartbeat', busy],
    ]);
    expect(valueOf(first.records[0] as LogRecord).position).toBe(`${first.position.file}:${first.position.pos}`);
    const ticking = setInterval(() => void sql(server, `INSERT INTO ${busy} VALUES (${Date.now() % 1_000_000_000})`), 100);
    const later: LogRecord[] = [];
    try {
      while (!later.some((r) => valueOf(r).op === 'heartbeat')) later.push(...(await io.read()).records);
    } finally {
      clearInterval(ticking);
    }
    await io.close();
    await sql(server, `DROP TABLE ${quiet}`);
    await sql(server, `DROP TABLE ${busy}`);
    expect(later.filter((r) => valueOf(r).op === 'heartbeat').map((r) => valueOf(r).table)).toEqual([quiet]);
  });
});
