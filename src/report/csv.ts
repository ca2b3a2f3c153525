import type { Report } from './analysis.js';
import { eventTypeColumns, summaryColumns } from './columns.js';

/** Quotes a field when it holds a comma, quote or line break (RFC 4180). */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The report as CSV: one row per app and day, the summary columns then one `event:<type>`
 * column per event type; CTR as a fraction (empty when no ad was shown), not a percentage.
 *
 * @example
 * await writeFile('report.csv', renderCsv(report));
 */
export function renderCsv(report: Report): string {
  const columns = [...summaryColumns, ...eventTypeColumns(report).slice(2)];
  const lines = [columns.map((c) => field(c.key)), ...report.rows.map((row) => columns.map((c) => field((c.raw ?? c.value)(row))))];
  return lines.map((l) => l.join(',')).join('\r\n') + '\r\n';
}
