import type { Report } from './analysis.js';
import { eventTypeColumns, formatCtr, summaryColumns, type Column } from './columns.js';
import { escapeXml } from './escape.js';
import { barChart, lineChart, type Series } from './svg-chart.js';

const style = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1000px; color: #1d2430; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.meta { color: #5b6472; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid #e3e6eb; text-align: left; white-space: nowrap; }
th { background: #f4f6f9; font-weight: 600; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:hover { background: #f9fafc; }
figure { margin: 1rem 0; } svg { max-width: 100%; height: auto; }
svg .grid { stroke: #e3e6eb; } svg .axis { stroke: #8a93a0; }
svg .tick { font-size: 11px; fill: #5b6472; } svg .legend { font-size: 12px; fill: #1d2430; dominant-baseline: middle; }
svg .chart-title { font-size: 13px; font-weight: 600; fill: #1d2430; }
`;

function table(columns: readonly Column[], report: Report): string {
  const cls = (c: Column): string => (c.numeric ? ' class="num"' : '');
  const head = `<tr>${columns.map((c) => `<th${cls(c)}>${escapeXml(c.title)}</th>`).join('')}</tr>`;
  const body = report.rows.map((r) => `<tr>${columns.map((c) => `<td${cls(c)}>${escapeXml(c.value(r))}</td>`).join('')}</tr>`);
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

/** Per app, one value per day (null where the app has no row that day). */
function seriesPerApp(report: Report, days: readonly string[], pick: (r: Report['rows'][number]) => number | null): Series[] {
  const apps = [...new Set(report.rows.map((r) => r.app))];
  return apps.map((app) => ({
    name: app,
    values: days.map((day) => {
      const row = report.rows.find((r) => r.app === app && r.day === day);
      return row === undefined ? null : pick(row);
    }),
  }));
}

/**
 * The report as one self-contained HTML page: inline CSS, two inline SVG charts drawn here
 * (events per day as grouped bars, CTR per day as lines, one colour per app), the summary table
 * and the events-by-type table. No scripts, fonts or anything fetched from elsewhere.
 *
 * @example
 * await writeFile('report.html', renderHtml(report));
 */
export function renderHtml(report: Report): string {
  const days = [...new Set(report.rows.map((r) => r.day))].sort();
  const charts =
    report.rows.length === 0
      ? '<p>No events stored yet.</p>'
      : [
          `<figure>${barChart({ title: 'Events per day', categories: days, series: seriesPerApp(report, days, (r) => r.events) })}</figure>`,
          `<figure>${lineChart({ title: 'Ad click-through rate per day', categories: days, series: seriesPerApp(report, days, (r) => r.ctr), format: (v) => formatCtr(v) })}</figure>`,
        ].join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>millrace report: ${escapeXml(report.table)}</title>
<style>${style}</style>
</head>
<body>
<h1>Log events per app and day</h1>
<p class="meta">Table <code>${escapeXml(report.table)}</code> (${escapeXml(report.engine)}), generated ${escapeXml(report.generatedAt)}.</p>
${charts}
<h2>Summary</h2>
${table(summaryColumns, report)}
<h2>Events by type</h2>
${table(eventTypeColumns(report), report)}
</body>
</html>
`;
}
