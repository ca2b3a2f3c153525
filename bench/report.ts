/**
 * The report from the app/day summary against the report scanning every row, and what keeping
 * the summary costs the SQLite inserts (issue #16 item 3):
 *
 *   npm run bench -- report            node --import tsx bench/report.ts [--rows 1000000] [--rounds 3]
 *
 * Rows as the log pipeline stores them, with the sample's apps, event types and 5000 users over
 * 30 days, inserted through the database layer in batches of 1000. The reference for the insert cost is the same
 * rows through a bare `INSERT OR IGNORE` with the same 64-row statements and transactions (what
 * the sink did before the summary), rounds interleaved, medians.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventRow } from '../src/db/event-row.js';
import { flatRows, openSqlite } from '../src/db/sqlite-insert.js';
import { SqliteDatabase } from '../src/db/sqlite.js';
import type { Database } from '../src/db/database.js';
import { analyse } from '../src/report/analysis.js';
import { apps, events, users } from '../src/sample/vocabulary.js';
import { isMain, median, numberArg, saveResult } from './standalone.js';

const BATCH = 1000;

function rowsOf(n: number): EventRow[] {
  const rows: EventRow[] = [];
  let seed = 42;
  const next = (m: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % m;
  };
  for (let i = 0; i < n; i++) {
    const day = `2026-11-${String(1 + next(30)).padStart(2, '0')}`;
    rows.push({ file: `f${Math.floor(i / 5000)}.log`, line: (i % 5000) + 1, ts: `${day}T10:00:00.000Z`, day, app: apps[next(apps.length)] as string, event: events[next(events.length)] as string, user: next(10) === 0 ? null : `u${1 + next(users)}`, fields: '{"k":1}' });
  }
  return rows;
}

/** Rows per second through the database layer (rows + summary in each transaction). */
async function withSummary(dir: string, rows: EventRow[]): Promise<{ rate: number; db: SqliteDatabase }> {
  const db = new SqliteDatabase({ type: 'sqlite', path: 'summary.db', synchronous: 'normal', busyTimeoutMs: 5000, summary: true }, 'events', { baseDir: dir });
  await db.connect();
  await db.ensureSchema();
  const start = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) await db.insert(rows.slice(i, i + BATCH));
  return { rate: rows.length / ((performance.now() - start) / 1000), db };
}

/** Rows per second through a bare multi-row INSERT OR IGNORE, as the sink stored rows before the summary. */
function bare(dir: string, rows: EventRow[]): number {
  const db = openSqlite(join(dir, 'bare.db'), { synchronous: 'normal', busyTimeoutMs: 5000 }, false);
  db.exec('CREATE TABLE events (file TEXT NOT NULL, line INTEGER NOT NULL, ts TEXT NOT NULL, day TEXT NOT NULL, app TEXT NOT NULL, event TEXT NOT NULL, user TEXT, fields TEXT NOT NULL, PRIMARY KEY (file, line)) WITHOUT ROWID');
  const tuple = '(?, ?, ?, ?, ?, ?, ?, ?)';
  const many = db.prepare(`INSERT OR IGNORE INTO events VALUES ${new Array<string>(64).fill(tuple).join(', ')}`);
  const one = db.prepare(`INSERT OR IGNORE INTO events VALUES ${tuple}`);
  const store = db.transaction((flat: unknown[]) => {
    let at = 0;
    for (; at + 512 <= flat.length; at += 512) many.run(flat.slice(at, at + 512));
    for (; at < flat.length; at += 8) one.run(flat.slice(at, at + 8));
  });
  const start = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) store.immediate(flatRows(rows.slice(i, i + BATCH)));
  const rate = rows.length / ((performance.now() - start) / 1000);
  db.close();
  return rate;
}

async function timedReport(db: Database): Promise<number> {
  const start = performance.now();
  await analyse(db);
  return performance.now() - start;
}

export async function runReportBench(rowCount = 1_000_000, rounds = 3): Promise<Record<string, unknown>> {
  const rows = rowsOf(rowCount);
  const insertWith: number[] = [];
  const insertBare: number[] = [];
  const reportSummary: number[] = [];
  const reportScan: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-report-bench-'));
    try {
      // Interleaved: the order alternates between rounds.
      let bareRate = round % 2 === 1 ? bare(dir, rows) : 0;
      const summary = await withSummary(dir, rows);
      if (round % 2 === 0) bareRate = bare(dir, rows);
      insertWith.push(summary.rate);
      insertBare.push(bareRate);
      const scanning = Object.assign(Object.create(summary.db) as Database, { summary: async () => undefined });
      reportSummary.push(await timedReport(summary.db));
      reportScan.push(await timedReport(scanning));
      await summary.db.close();
      process.stderr.write(`report: round ${round + 1}: insert ${Math.round(summary.rate)} vs bare ${Math.round(bareRate)} rows/s; report ${Math.round(reportSummary.at(-1) ?? 0)} ms vs scan ${Math.round(reportScan.at(-1) ?? 0)} ms\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    rows: rowCount,
    rounds,
    insertRowsPerSecond: Math.round(median(insertWith)),
    bareInsertRowsPerSecond: Math.round(median(insertBare)),
    insertRatio: Number((median(insertWith) / median(insertBare)).toFixed(2)),
    reportMs: Math.round(median(reportSummary)),
    scanReportMs: Math.round(median(reportScan)),
  };
}

if (isMain(import.meta.url)) {
  const result = await runReportBench(numberArg('rows'), numberArg('rounds'));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await saveResult('report', { ...result, measuredAt: new Date().toISOString(), node: process.version }, undefined);
}
