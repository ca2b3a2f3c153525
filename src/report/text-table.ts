import type { Report } from './analysis.js';
import { eventTypeColumns, summaryColumns, type Column } from './columns.js';

function table(columns: readonly Column[], report: Report): string {
  const cells = report.rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => ((columns[i]?.numeric ?? false) ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(columns.map((c) => c.title)), rule, ...cells.map(line)].join('\n');
}

/**
 * The report as aligned plain-text tables for a terminal: the summary per app and day, then the
 * events by type. Numbers are right-aligned, text left-aligned.
 *
 * @example
 * process.stdout.write(renderText(report));
 */
export function renderText(report: Report): string {
  if (report.rows.length === 0) return `table ${report.table} (${report.engine}) holds no events\n`;
  return [
    `events in table ${report.table} (${report.engine}), per app and day`,
    '',
    table(summaryColumns, report),
    '',
    'events by type',
    '',
    table(eventTypeColumns(report), report),
    '',
  ].join('\n');
}
