import type { AppDayStats, Report } from './analysis.js';

/** One column of the report tables, shared by the text, CSV and HTML renderings. */
export interface Column {
  /** Header in the text and HTML tables. */
  title: string;
  /** Header in the CSV file: lower-case, no spaces. */
  key: string;
  numeric: boolean;
  value(row: AppDayStats): string;
  /** Machine-readable value for CSV, when it differs from the displayed one. */
  raw?(row: AppDayStats): string;
}

/** CTR as a percentage with two decimals, or `-` when no ad was shown. */
export function formatCtr(ctr: number | null): string {
  return ctr === null ? '-' : `${(ctr * 100).toFixed(2)}%`;
}

const count = (title: string, key: string, pick: (r: AppDayStats) => number): Column => ({ title, key, numeric: true, value: (r) => String(pick(r)) });

/** The summary columns: app, day and the headline numbers. */
export const summaryColumns: readonly Column[] = [
  { title: 'app', key: 'app', numeric: false, value: (r) => r.app },
  { title: 'day', key: 'day', numeric: false, value: (r) => r.day },
  count('events', 'events', (r) => r.events),
  count('process starts', 'process_starts', (r) => r.processStarts),
  count('ads shown', 'ads_shown', (r) => r.adsShown),
  count('ad clicks', 'ad_clicks', (r) => r.adClicks),
  { title: 'CTR', key: 'ctr', numeric: true, value: (r) => formatCtr(r.ctr), raw: (r) => (r.ctr === null ? '' : String(r.ctr)) },
  count('purchases', 'purchases', (r) => r.purchases),
  count('errors', 'errors', (r) => r.errors),
  count('users', 'distinct_users', (r) => r.users),
];

/** App, day, then one count column per event type of the report. */
export function eventTypeColumns(report: Report): Column[] {
  const [app, day] = summaryColumns as [Column, Column];
  return [app, day, ...report.eventTypes.map((type) => count(type, `event:${type}`, (r) => r.byType[type] ?? 0))];
}
