import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqliteDatabase } from '../../src/db/sqlite.js';
import { analyse } from '../../src/report/analysis.js';
import { eventRow, scanning, withoutTime } from './summary-kit.js';

const sqlite = { type: 'sqlite', synchronous: 'normal', busyTimeoutMs: 5000, summary: true } as const;

/** Rows over a small universe of keys, apps, days, events and users, so batches overlap and repeat. */
const row = fc.record({
  file: fc.constantFrom('a.log', 'b.log', 'c.log'),
  line: fc.integer({ min: 1, max: 40 }),
  app: fc.constantFrom('shop', 'game', 'ünï'),
  day: fc.constantFrom('2026-11-30', '2026-12-01'),
  event: fc.constantFrom('ad_show', 'ad_click', 'purchase', 'page_view'),
  user: fc.option(fc.constantFrom('u1', 'u2', 'u3', 'u4'), { nil: null }),
});

describe('the app/day summary the SQLite database keeps beside the rows', () => {
  it('gives the report the scan gives, whatever batches arrive, replayed or overlapping, through one or two writers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(row, { maxLength: 30 }), { maxLength: 12 }), fc.boolean(), async (batches, thread) => {
        const dir = mkdtempSync(join(tmpdir(), 'millrace-summary-'));
        const open = (writerThread: boolean): SqliteDatabase => new SqliteDatabase({ ...sqlite, path: 'events.db', writerThread }, 'events', { baseDir: dir });
        const first = open(false);
        const second = open(thread);
        await first.connect();
        await second.connect();
        await first.ensureSchema();
        await second.ensureSchema();
        try {
          let stored = 0;
          for (const [i, batch] of batches.entries()) stored += await (i % 2 === 0 ? first : second).insert(batch.map(eventRow));
          const fromSummary = await analyse(first);
          expect(await first.summary()).toBeDefined();
          expect(withoutTime(fromSummary)).toEqual(withoutTime(await analyse(scanning(first))));
          expect(fromSummary.rows.reduce((sum, r) => sum + r.events, 0)).toBe(stored);
        } finally {
          await first.close();
          await second.close();
        }
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it('is filled from the rows already stored when a database from before the summary is opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-summary-'));
    const old = new BetterSqlite3(join(dir, 'events.db'));
    old.exec('CREATE TABLE events (file TEXT NOT NULL, line INTEGER NOT NULL, ts TEXT NOT NULL, day TEXT NOT NULL, app TEXT NOT NULL, event TEXT NOT NULL, user TEXT, fields TEXT NOT NULL, PRIMARY KEY (file, line)) WITHOUT ROWID');
    const insert = old.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for (let line = 1; line <= 300; line++) insert.run('old.log', line, '2026-12-01T00:00:00.000Z', '2026-12-01', line % 3 === 0 ? 'game' : 'shop', line % 4 === 0 ? 'ad_click' : 'ad_show', line % 5 === 0 ? null : `u${line % 17}`, '{}');
    old.close();

    const db = new SqliteDatabase({ ...sqlite, path: 'events.db' }, 'events', { baseDir: dir });
    await db.connect();
    try {
      expect(await db.summary()).toBeUndefined();
      const before = withoutTime(await analyse(db));
      await db.ensureSchema();
      expect(await db.summary()).toBeDefined();
      expect(withoutTime(await analyse(db))).toEqual(before);
      // New rows, some of them already stored, add to the backfilled summary exactly once.
      await db.insert([eventRow({ file: 'old.log', line: 1, app: 'shop', day: '2026-12-01', event: 'ad_show', user: 'u1' }), eventRow({ file: 'new.log', line: 1, app: 'shop', day: '2026-12-01', event: 'ad_show', user: 'nobody-yet' })]);
      const after = await analyse(db);
      expect(withoutTime(after)).toEqual(withoutTime(await analyse(scanning(db))));
      expect(after.rows.reduce((sum, r) => sum + r.events, 0)).toBe(301);
    } finally {
      await db.close();
    }
  });

  it('is dropped when a writer opens the table with summary: false, so the report scans instead of reading a stale summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-summary-'));
    const open = (summary: boolean): SqliteDatabase => new SqliteDatabase({ ...sqlite, path: 'events.db', summary }, 'events', { baseDir: dir });
    const keeping = open(true);
    await keeping.connect();
    await keeping.ensureSchema();
    await keeping.insert([eventRow({ file: 'a.log', line: 1, app: 'shop', day: '2026-12-01', event: 'ad_show', user: 'u1' })]);
    await keeping.close();
    const bare = open(false);
    await bare.connect();
    try {
      await bare.ensureSchema();
      expect(await bare.summary()).toBeUndefined();
      await bare.insert([eventRow({ file: 'a.log', line: 2, app: 'shop', day: '2026-12-01', event: 'ad_click', user: 'u2' })]);
      const report = await analyse(bare);
      expect(report.rows).toMatchObject([{ app: 'shop', day: '2026-12-01', events: 2, adsShown: 1, adClicks: 1, users: 2 }]);
    } finally {
      await bare.close();
    }
  });
});
