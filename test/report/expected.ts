import type { AppDayStats } from '../../src/report/analysis.js';
import type { LogRecord } from '../../src/streams/record.js';

interface Parsed {
  day: string;
  app: string;
  event: string;
  user: string | null;
}

/**
 * The report's numbers computed straight from the records that were stored (no SQL): the
 * independent answer the queries must match. Records repeated with the same (file, line) count once.
 */
export function expectedStats(records: readonly LogRecord[]): AppDayStats[] {
  const seen = new Set<string>();
  const groups = new Map<string, { app: string; day: string; byType: Map<string, number>; users: Set<string>; events: number }>();
  for (const record of records) {
    const key = `${record.headers?.file}\u0000${record.headers?.line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const v = record.value as unknown as Parsed;
    const id = `${v.app}\u0000${v.day}`;
    const g = groups.get(id) ?? { app: v.app, day: v.day, byType: new Map(), users: new Set(), events: 0 };
    groups.set(id, g);
    g.events += 1;
    g.byType.set(v.event, (g.byType.get(v.event) ?? 0) + 1);
    if (v.user !== null) g.users.add(v.user);
  }
  return [...groups.values()]
    .sort((a, b) => (a.app === b.app ? (a.day < b.day ? -1 : 1) : a.app < b.app ? -1 : 1))
    .map((g) => {
      const n = (event: string): number => g.byType.get(event) ?? 0;
      return {
        app: g.app,
        day: g.day,
        events: g.events,
        byType: Object.fromEntries(g.byType),
        processStarts: n('process_start'),
        adsShown: n('ad_show'),
        adClicks: n('ad_click'),
        ctr: n('ad_show') === 0 ? null : n('ad_click') / n('ad_show'),
        purchases: n('purchase'),
        errors: n('error'),
        users: g.users.size,
      };
    });
}
