// The binlog source's initial snapshot against a real MariaDB 10.11 (instance "cdc"): the current
// rows first, typed exactly as the binlog gives them, then the binlog from the snapshot's own
// position, so rows written while the snapshot runs are neither missed nor doubled; a crash
// before the snapshot is acknowledged redoes it, one after it never does.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json, LogRecord } from '../../../src/streams/record.js';
import type { MariaDbHandle } from '../../infra/mariadb/server.js';
import { sql, uniqueTable } from '../database/mariadb.js';
import { binlogSource, ensureCdcServer, readRecords, session, valueOf } from './server.js';
import { columns, expected, row } from './type-table.js';

/** The table's state a consumer rebuilds by applying records in order (id → n). */
function applied(records: LogRecord[]): Map<number, number> {
  const state = new Map<number, number>();
  for (const r of records) {
    const v = valueOf(r);
    const image = (v.after ?? v.before) as { id: number; n: number };
    if (v.op === 'delete') state.delete(image.id);
    else state.set(image.id, image.n);
  }
  return state;
}

describe('binlog source initial snapshot on a real MariaDB', () => {
  let server: MariaDbHandle;
  const dirs = (): string => mkdtempSync(join(tmpdir(), 'millrace-snapshot-'));

  beforeAll(async () => {
    server = await ensureCdcServer();
  }, 300_000);

  afterAll(async () => {
    await server.stop();
  });

  it('reads the current rows as op read, every column type exactly as the binlog would give it, then the changes after', async () => {
    const table = uniqueTable('snaptypes');
    await sql(server, `CREATE TABLE ${table} (${columns})`);
    await session(server, ["SET time_zone = '+09:00'", `INSERT INTO ${table} VALUES ${row}`]);
    const io = binlogSource(server, [`millrace.${table}`], dirs(), { snapshot: 'initial' });
    await io.connect();
    try {
      const first = await io.read();
      expect(first.records.map(valueOf)).toEqual([
        expect.objectContaining({ database: 'millrace', table, op: 'read', before: null, after: expected, pk: { id: 1 } }),
      ]);
      await io.commit(first.position);
      await sql(server, `UPDATE ${table} SET vc = 'after' WHERE id = 1`);
      const [update] = await readRecords(io, 1);
      expect(valueOf(update as LogRecord)).toMatchObject({ op: 'update', before: expected, after: { ...expected, vc: 'after' } });
    } finally {
      await io.close();
      await sql(server, `DROP TABLE ${table}`);
    }
  });

  it('misses and doubles nothing at the seam: rows written while the snapshot is read arrive once, from the binlog', async () => {
    const table = uniqueTable('seam');
    await sql(server, `CREATE TABLE ${table} (id INT PRIMARY KEY, n INT)`);
    const values = Array.from({ length: 2000 }, (_, i) => `(${i}, ${i})`).join(',');
    await sql(server, `INSERT INTO ${table} VALUES ${values}`);
    const io = binlogSource(server, [`millrace.${table}`], dirs(), { snapshot: 'initial', maxBatchRows: 50 });
    await io.connect();
    const records: LogRecord[] = [];
    try {
      // Writes while the snapshot is handed out: new rows, updates of snapshotted rows, deletes.
      const writer = (async () => {
        for (let i = 0; i < 40; i++) {
          await sql(server, `INSERT INTO ${table} VALUES (${5000 + i}, ${i})`);
          await sql(server, `UPDATE ${table} SET n = n + 1000 WHERE id = ${i * 37}`);
          await sql(server, `DELETE FROM ${table} WHERE id = ${1999 - i}`);
        }
      })();
      while (records.length < 2000) {
        const read = await io.read();
        records.push(...read.records);
        await io.commit(read.position);
      }
      await writer;
      records.push(...(await readRecords(io, 120)));
    } finally {
      await io.close();
    }
    const snapshotRows = records.filter((r) => valueOf(r).op === 'read');
    expect(snapshotRows).toHaveLength(2000);
    expect(records.length, 'the 2000 snapshot rows, then 40 inserts, 40 updates and 40 deletes').toBe(2120);
    const rows = await sql(server, `SELECT id, n FROM ${table}`);
    expect(applied(records)).toEqual(new Map(rows.map((r) => [Number(r.id), Number(r.n)])));
    await sql(server, `DROP TABLE ${table}`);
  });

  it('redoes the snapshot after a crash before its last batch was acknowledged, and never after', async () => {
    const table = uniqueTable('redo');
    await sql(server, `CREATE TABLE ${table} (id INT PRIMARY KEY, n INT)`);
    await sql(server, `INSERT INTO ${table} VALUES ${Array.from({ length: 30 }, (_, i) => `(${i}, ${i})`).join(',')}`);
    const dir = dirs();
    const over = { snapshot: 'initial', maxBatchRows: 10 };
    try {
      const first = binlogSource(server, [`millrace.${table}`], dir, over);
      await first.connect();
      const partial = await first.read();
      await first.commit(partial.position);
      await first.close();

      const second = binlogSource(server, [`millrace.${table}`], dir, over);
      await second.connect();
      const again = await readRecords(second, 30);
      await second.close();
      expect(again.map((r) => valueOf(r).op)).toEqual(Array(30).fill('read'));
      expect(again.map((r) => (valueOf(r).after as { id: number }).id)).toEqual(Array.from({ length: 30 }, (_, i) => i));

      await sql(server, `INSERT INTO ${table} VALUES (100, 100)`);
      const third = binlogSource(server, [`millrace.${table}`], dir, over);
      await third.connect();
      const [next] = await readRecords(third, 1);
      await third.close();
      expect(valueOf(next as LogRecord)).toMatchObject({ op: 'insert', after: { id: 100, n: 100 } });
    } finally {
      await sql(server, `DROP TABLE ${table}`);
    }
  });

  it('with every read table empty, saves the snapshot position at once and follows the binlog from it', async () => {
    const table = uniqueTable('empty');
    await sql(server, `CREATE TABLE ${table} (id INT PRIMARY KEY, n INT)`);
    const dir = dirs();
    try {
      const io = binlogSource(server, [`millrace.${table}`], dir, { snapshot: 'initial' });
      await io.connect();
      await sql(server, `INSERT INTO ${table} VALUES (1, 1)`);
      const [first] = await readRecords(io, 1, false);
      await io.close();
      expect(valueOf(first as LogRecord)).toMatchObject({ op: 'insert', after: { id: 1, n: 1 } as Json });
      // Nothing was acknowledged, yet the restart does not snapshot again: the position was saved.
      const again = binlogSource(server, [`millrace.${table}`], dir, { snapshot: 'initial' });
      await again.connect();
      const [replayed] = await readRecords(again, 1, false);
      await again.close();
      expect(valueOf(replayed as LogRecord)).toMatchObject({ op: 'insert', after: { id: 1, n: 1 } });
    } finally {
      await sql(server, `DROP TABLE ${table}`);
    }
  });
});
