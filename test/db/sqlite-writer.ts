/**
 * A second process writing to the same SQLite file, for the concurrency test:
 * `node --import tsx sqlite-writer.ts <db path> <count> <batch> <pause ms>` prints `ready` once
 * connected, then inserts the fixture records, last line first, through its own {@link SqliteDatabase}
 * connection, one transaction per batch with a pause between batches, and prints how many rows
 * were new.
 */
import { basename, dirname } from 'node:path';
import { SqliteDatabase } from '../../src/db/sqlite.js';
import { toRow, type EventRow } from '../../src/db/event-row.js';
import { parsedRecords } from '../kinds/database/fixtures.js';

const [path, count, batch, pauseMs] = process.argv.slice(2);
if (path === undefined || count === undefined || batch === undefined || pauseMs === undefined) throw new Error('usage: sqlite-writer.ts <db> <count> <batch> <pause ms>');
const db = new SqliteDatabase({ type: 'sqlite', path: basename(path), synchronous: 'normal', busyTimeoutMs: 10_000, summary: true }, 'events', { baseDir: dirname(path) });
// Last line first, so the two writers meet in the middle instead of racing over the same rows.
const rows = parsedRecords(Number(count))
  .map((r) => (toRow(r) as { row: EventRow }).row)
  .reverse();
await db.connect();
await db.ensureSchema();
process.stdout.write('ready\n');
let inserted = 0;
for (let i = 0; i < rows.length; i += Number(batch)) {
  inserted += await db.insert(rows.slice(i, i + Number(batch)));
  await new Promise((resolve) => setTimeout(resolve, Number(pauseMs)));
}
await db.close();
process.stdout.write(JSON.stringify({ inserted }));
