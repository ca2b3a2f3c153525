import { describe, expect, it } from 'vitest';
import type { AppDayStats, Report } from '../../src/report/analysis.js';
import { renderCsv } from '../../src/report/csv.js';
import { renderHtml } from '../../src/report/html.js';
import { renderText } from '../../src/report/text-table.js';

function stats(app: string, day: string, byType: Record<string, number>, users: number): AppDayStats {
  const n = (e: string): number => byType[e] ?? 0;
  return {
    app,
    day,
    events: Object.values(byType).reduce((a, b) => a + b, 0),
    byType,
    processStarts: n('process_start'),
    adsShown: n('ad_show'),
    adClicks: n('ad_click'),
    ctr: n('ad_show') > 0 ? n('ad_click') / n('ad_show') : null,
    purchases: n('purchase'),
    errors: n('error'),
    users,
  };
}

const report: Report = {
  table: 'events',
  engine: 'sqlite',
  generatedAt: '2026-11-22T10:00:00.000Z',
  eventTypes: ['ad_click', 'ad_show', 'error', 'process_start'],
  rows: [
    stats('news', '2026-11-20', { ad_show: 1200, ad_click: 36, process_start: 4 }, 310),
    stats('news', '2026-11-21', { ad_show: 800, ad_click: 12 }, 95),
    stats('shop, "EU"', '2026-11-20', { process_start: 2, error: 1 }, 3),
  ],
};

describe('report rendering', () => {
  it('prints the summary as aligned columns, numbers right-aligned and CTR as a percentage', () => {
    const text = renderText(report);
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('app '));
    const table = lines.slice(header, header + 5);
    expect(table[0]).toMatch(/^app\s+day\s+events\s+process starts\s+ads shown\s+ad clicks\s+CTR\s+purchases\s+errors\s+users$/);
    expect(table[2]).toMatch(/^news\s+2026-11-20\s+1240\s+4\s+1200\s+36\s+3\.00%\s+0\s+0\s+310$/);
    expect(table[4]).toMatch(/^shop, "EU"\s+2026-11-20\s+3\s+2\s+0\s+0\s+-\s+0\s+1\s+3$/);
    // Right-aligned numbers end in the same column as their header.
    const usersEnd = (table[0] as string).length;
    for (const line of table.slice(2)) expect(line.length).toBe(usersEnd);
    expect(text).toContain('events by type');
  });

  it('writes CSV with a header, quoted fields where needed, CTR as a fraction and a column per event type', () => {
    const [header, ...rows] = renderCsv(report).trimEnd().split('\r\n');
    expect(header).toBe('app,day,events,process_starts,ads_shown,ad_clicks,ctr,purchases,errors,distinct_users,event:ad_click,event:ad_show,event:error,event:process_start');
    expect(rows).toEqual([
      'news,2026-11-20,1240,4,1200,36,0.03,0,0,310,36,1200,0,4',
      'news,2026-11-21,812,0,800,12,0.015,0,0,95,12,800,0,0',
      '"shop, ""EU""",2026-11-20,3,2,0,0,,0,1,3,0,0,1,2',
    ]);
  });

  it('makes a self-contained HTML page with inline SVG charts and a table row per app and day', () => {
    const html = renderHtml(report);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/);
    expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '')).not.toContain('http');
    const summary = html.slice(html.indexOf('<h2>Summary</h2>'), html.indexOf('<h2>Events by type</h2>'));
    expect(summary.match(/<tr><td>/g)).toHaveLength(3);
    expect(summary).toContain('<tr><td>news</td><td>2026-11-21</td><td class="num">812</td>');
    expect(html).toContain('shop, &#34;EU&#34;');
    // Grouped bars: one per app and day with data; CTR line points only where ads were shown.
    expect(html.match(/<rect [^>]*><title>/g)).toHaveLength(3);
    expect(html.match(/<circle /g)).toHaveLength(2);
    expect(html).toContain('<polyline');
    for (const tag of ['html', 'head', 'body', 'table', 'svg', 'figure']) {
      expect(html.split(`<${tag}`).length).toBe(html.split(`</${tag}>`).length);
    }
  });

  it('says so when the table holds no events', () => {
    const empty = { ...report, rows: [], eventTypes: [] };
    expect(renderText(empty)).toBe('table events (sqlite) holds no events\n');
    expect(renderHtml(empty)).toContain('No events stored yet.');
    expect(renderCsv(empty)).toBe('app,day,events,process_starts,ads_shown,ad_clicks,ctr,purchases,errors,distinct_users\r\n');
  });
});
