import type { Database } from '../../src/db/database.js';
import type { EventRow } from '../../src/db/event-row.js';
import type { Report } from '../../src/report/analysis.js';

/** A stored row from the fields the summary reads. */
export function eventRow(r: { file: string; line: number; app: string; day: string; event: string; user: string | null }): EventRow {
  return { ...r, ts: `${r.day}T00:00:00.000Z`, fields: '{}' };
}

/** The same database, answering as one without a summary: the report scans the rows. */
export function scanning(db: Database): Database {
  return Object.assign(Object.create(db) as Database, { summary: async () => undefined });
}

/** A report without its time, to compare two. */
export function withoutTime(report: Report): Report {
  return { ...report, generatedAt: '' };
}
