import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ensureSqliteSchema, flatRows } from '../../src/db/sqlite-insert.js';
import { SqliteWriterThread } from '../../src/db/sqlite-thread.js';
import { toRow, type EventRow } from '../../src/db/event-row.js';
import { parsedRecords } from '../kinds/database/fixtures.js';

const settings = { table: 'events', busyTimeoutMs: 1000, synchronous: 'normal', summary: true } as const;

function rows(n: number): EventRow[] {
  return parsedRecords(n).map((r) => {
    const result = toRow(r);
    if (!('row' in result)) throw new Error(result.reason);
    return result.row;
  });
}

describe('SqliteWriterThread', () => {
  it('stores flat rows in its own connection and counts only the new ones', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'millrace-writer-')), 'events.db');
    const db = new BetterSqlite3(path);
    ensureSqliteSchema(db, 'events', true);
    const writer = new SqliteWriterThread({ path, ...settings });
    await writer.ready;
    const all = rows(200);
    expect(await writer.insert(flatRows(all.slice(0, 130)))).toBe(130);
    expect(await writer.insert(flatRows(all.slice(100)))).toBe(70);
    await writer.close();
    expect(db.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 200 });
    db.close();
  });

  it('rejects its start, and every insert after, when the thread dies', async () => {
    const writer = new SqliteWriterThread({ path: join(tmpdir(), 'no-such-dir-millrace', 'x', 'events.db'), ...settings });
    await expect(writer.ready).rejects.toThrow(/SQLite writer thread .* (failed|exited)/);
    await expect(writer.insert(flatRows(rows(1)))).rejects.toThrow(/SQLite writer thread/);
    await writer.close();
  });
});
