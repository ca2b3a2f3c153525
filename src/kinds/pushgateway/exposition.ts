import type { FalconMetric } from '../../cdc/falcon-metric.js';

/** A metric or label name Prometheus takes: other characters become `_`, a leading digit gets one. */
export function promName(name: string, colons: boolean): string {
  const clean = name.replace(colons ? /[^a-zA-Z0-9_:]/g : /[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

const escapeLabel = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Open-Falcon tags `k=v,k=v` as Prometheus labels `{k="v",...}` (sorted, names made valid). */
function labels(tags: string): string {
  const pairs = tags
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.includes('='))
    .map((t) => {
      const at = t.indexOf('=');
      return `${promName(t.slice(0, at), false)}="${escapeLabel(t.slice(at + 1))}"`;
    })
    .sort();
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/**
 * The Prometheus text exposition of one group's points: per metric name a TYPE line (gauge for
 * GAUGE, counter for COUNTER) and its samples, without timestamps (the Pushgateway refuses them).
 * A series given twice keeps its last value.
 */
export function exposition(points: readonly FalconMetric[]): string {
  const byName = new Map<string, { type: string; series: Map<string, number> }>();
  for (const p of points) {
    const name = promName(p.metric, true);
    let entry = byName.get(name);
    if (entry === undefined) {
      entry = { type: p.counterType === 'COUNTER' ? 'counter' : 'gauge', series: new Map() };
      byName.set(name, entry);
    }
    entry.series.set(labels(p.tags), p.value);
  }
  let text = '';
  for (const [name, { type, series }] of byName) {
    text += `# TYPE ${name} ${type}\n`;
    for (const [l, value] of series) text += `${name}${l} ${value}\n`;
  }
  return text;
}
