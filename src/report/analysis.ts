import type { Database } from '../db/database.js';

/** Event names the report gives their own columns (docs/decisions/log-pipeline.md). */
export const reportEvents = {
  processStart: 'process_start',
  adShow: 'ad_show',
  adClick: 'ad_click',
  purchase: 'purchase',
  error: 'error',
} as const;

/** What one app did on one day. */
export interface AppDayStats {
  app: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** All events. */
  events: number;
  /** Events by type, every type seen that day (a prototype-less object: any event name is a safe key). */
  byType: Record<string, number>;
  processStarts: number;
  adsShown: number;
  adClicks: number;
  /** Click-through rate: ad clicks / ads shown; null when no ad was shown. */
  ctr: number | null;
  purchases: number;
  errors: number;
  /** Distinct non-null users. */
  users: number;
}

/** The analysis of a `database` sink's table. */
export interface Report {
  table: string;
  engine: Database['engine'];
  /** ISO-8601 time the report was made. */
  generatedAt: string;
  /** Every event type seen, sorted. */
  eventTypes: string[];
  /** One entry per app and day, sorted by app then day. */
  rows: AppDayStats[];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Runs the report queries (plain `GROUP BY` SQL that SQLite and MariaDB/MySQL both accept) and
 * assembles per app per day: events by type, process starts, ads shown, ad clicks and CTR,
 * purchases, errors and distinct users. Where the database keeps the app/day summary it reads
 * that (a row per app, day and event, a row per distinct user) instead of scanning every row.
 *
 * @example
 * const db = createDatabase(engine, 'events', { baseDir, readonly: true });
 * await db.connect();
 * const report = await analyse(db);
 * console.log(report.rows[0]?.ctr);
 */
export async function analyse(db: Database): Promise<Report> {
  const summary = await db.summary();
  const t = `\`${db.table}\``;
  const counts = await db.query(
    summary === undefined
      ? `SELECT \`app\`, \`day\`, \`event\`, COUNT(*) AS \`n\` FROM ${t} GROUP BY \`app\`, \`day\`, \`event\``
      : `SELECT \`app\`, \`day\`, \`event\`, \`n\` FROM \`${summary.counts}\``,
  );
  const users = await db.query(
    summary === undefined
      ? `SELECT \`app\`, \`day\`, COUNT(DISTINCT \`user\`) AS \`n\` FROM ${t} GROUP BY \`app\`, \`day\``
      : `SELECT \`app\`, \`day\`, COUNT(*) AS \`n\` FROM \`${summary.users}\` GROUP BY \`app\`, \`day\``,
  );
  const byKey = new Map<string, AppDayStats>();
  const types = new Set<string>();
  const entry = (app: string, day: string): AppDayStats => {
    const key = JSON.stringify([app, day]);
    let stats = byKey.get(key);
    if (stats === undefined) {
      stats = { app, day, events: 0, byType: Object.create(null) as Record<string, number>, processStarts: 0, adsShown: 0, adClicks: 0, ctr: null, purchases: 0, errors: 0, users: 0 };
      byKey.set(key, stats);
    }
    return stats;
  };
  for (const r of counts) {
    const stats = entry(String(r.app), String(r.day));
    const event = String(r.event);
    // Counts are BIGINT: mysql2 may return them as strings, SQLite as numbers.
    const n = Number(r.n);
    types.add(event);
    stats.byType[event] = n;
    stats.events += n;
  }
  for (const r of users) entry(String(r.app), String(r.day)).users = Number(r.n);
  for (const stats of byKey.values()) {
    const count = (event: string): number => stats.byType[event] ?? 0;
    stats.processStarts = count(reportEvents.processStart);
    stats.adsShown = count(reportEvents.adShow);
    stats.adClicks = count(reportEvents.adClick);
    stats.ctr = stats.adsShown > 0 ? stats.adClicks / stats.adsShown : null;
    stats.purchases = count(reportEvents.purchase);
    stats.errors = count(reportEvents.error);
  }
  const rows = [...byKey.values()].sort((a, b) => compare(a.app, b.app) || compare(a.day, b.day));
  return { table: db.table, engine: db.engine, generatedAt: new Date().toISOString(), eventTypes: [...types].sort(compare), rows };
}
