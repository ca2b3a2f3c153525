import { Counter, Gauge, Registry } from 'prom-client';
import type { QualityJudge } from '../quality/quality-judge.js';
import type { StoredQualityRow } from '../quality/quality-store.js';

type Sum = 'received' | 'delivered' | 'duplicated' | 'lost';

/**
 * Prometheus metrics of the quality rows of the last `lookbackMs`, per stream and sink, read from
 * the quality table at scrape time: records received, delivered, duplicated and lost, windows
 * judged lost, the p99 latency of the latest window with deliveries, and the alerts raised.
 */
export function qualityMetrics(judge: QualityJudge, lookbackMs: number): { contentType: string; scrape(): Promise<string> } {
  const registry = new Registry();
  let rows: StoredQualityRow[] = [];
  const perSink = (name: string, help: string, value: (of: StoredQualityRow[]) => number | undefined): void => {
    const gauge: Gauge<'stream' | 'sink'> = new Gauge({
      name,
      help,
      labelNames: ['stream', 'sink'],
      registers: [registry],
      collect: () => {
        gauge.reset();
        const groups = new Map<string, StoredQualityRow[]>();
        for (const r of rows) groups.set(`${r.stream}\n${r.sink}`, [...(groups.get(`${r.stream}\n${r.sink}`) ?? []), r]);
        for (const group of groups.values()) {
          const v = value(group);
          const first = group[0] as StoredQualityRow;
          if (v !== undefined) gauge.set({ stream: first.stream, sink: first.sink }, v);
        }
      },
    });
  };
  const sum = (field: Sum) => (of: StoredQualityRow[]): number => of.reduce((n, r) => n + r[field], 0);
  perSink('millrace_quality_received_records', 'Records the gateway accepted, over the windows of the lookback.', sum('received'));
  perSink('millrace_quality_delivered_records', 'Records the sink stored (each once), over the windows of the lookback.', sum('delivered'));
  perSink('millrace_quality_duplicated_records', 'Records handed to the sink again after a dispatcher restart, over the windows of the lookback.', sum('duplicated'));
  perSink('millrace_quality_lost_records', 'Records received but not delivered, over the windows past their grace period.', (of) => of.filter((r) => r.state !== 'open').reduce((n, r) => n + r.lost, 0));
  perSink('millrace_quality_lost_windows', 'Windows whose deliveries stayed below what was received after the grace period (alerted).', (of) => of.filter((r) => r.state === 'lost').length);
  perSink('millrace_quality_latency_p99_ms', 'p99 of event time to delivery in the latest window with deliveries (within 10%).', (of) => of.filter((r) => r.p99Ms !== null).at(-1)?.p99Ms ?? undefined);
  const alerts: Counter = new Counter({
    name: 'millrace_quality_alerts_total',
    help: 'Quality alerts raised by this dispatcher: a window and sink with fewer records delivered than received after the grace period.',
    registers: [registry],
    collect: () => {
      alerts.reset();
      alerts.inc(judge.alerts);
    },
  });
  return {
    contentType: registry.contentType,
    async scrape() {
      rows = await judge.store.rows(undefined, Date.now() - lookbackMs);
      return registry.metrics();
    },
  };
}
