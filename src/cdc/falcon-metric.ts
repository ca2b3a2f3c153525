import type { Json, LogRecord } from '../streams/record.js';
import type { WatchRule } from './watch.js';

/** One Open-Falcon data point, as the agent's `/v1/push` takes it. */
export interface FalconMetric {
  endpoint: string;
  metric: string;
  timestamp: number;
  step: number;
  value: number;
  counterType: 'GAUGE' | 'COUNTER';
  tags: string;
}

type Row = { [column: string]: Json };

const numericText = /^-?\d+(\.\d+)?$/;

/** A column value as a number: numbers, and exact-number strings (DECIMAL, big BIGINT, rounded to a double). */
function numeric(value: Json | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && numericText.test(value)) return Number(value);
  return undefined;
}

/** The fields a rule meters in a row: its list, or every numeric column for `*numeric`. */
function fieldsOf(rule: WatchRule, row: Row): string[] {
  if (rule.fields.trim() === '*numeric') return Object.keys(row).filter((f) => numeric(row[f]) !== undefined);
  return rule.fields
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
}

/** Open-Falcon tags: the rule's `k=v` list, then the primary key columns as `col=value`. */
function tagsOf(rule: WatchRule, pk: Json | undefined): string {
  const tags = rule.tags
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (pk !== null && typeof pk === 'object' && !Array.isArray(pk))
    for (const [col, v] of Object.entries(pk)) tags.push(`${col}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return tags.join(',');
}

/** A data point with how its counter aggregates within a step. */
export interface MeteredPoint {
  metric: FalconMetric;
  aggregation: WatchRule['aggregation'];
}

/** The points of a row change, and what its watch rules name that the row cannot give. */
export interface Metered {
  points: MeteredPoint[];
  /** `watch rule 3 (millrace.orders): field note is not numeric`, one per such field. */
  problems: string[];
}

/**
 * The data points of one binlog row change under the watch rules it carries (`value.watch`):
 * for each rule and each field it meters, `<db>.<table>.<field>` of the row after the change, at
 * the change's time rounded down to the rule's step. Deletes give none (a deleted row has no value
 * now), and neither do NULL fields. Tags are the rule's, then (with `primaryKeyTags`) the row's key. A listed field the table lacks, or whose value is not a
 * number, is a problem of that rule: reported, while its other fields and other rules go on.
 */
export function metricsOf(record: LogRecord, primaryKeyTags = true): Metered {
  const v = record.value as Row;
  const after = v.after;
  const problems: string[] = [];
  if (v.op === 'delete' || after === null || typeof after !== 'object' || Array.isArray(after) || !Array.isArray(v.watch)) return { points: [], problems };
  const out: MeteredPoint[] = [];
  for (const rule of v.watch as unknown as WatchRule[]) {
    const timestamp = Math.floor(record.ts / 1000 / rule.step) * rule.step;
    const tags = tagsOf(rule, primaryKeyTags ? v.pk : null);
    for (const field of fieldsOf(rule, after)) {
      const raw = after[field];
      const value = numeric(raw);
      if (value === undefined) {
        const where = `watch rule ${rule.id} (${String(v.database)}.${String(v.table)})`;
        if (raw === undefined) problems.push(`${where}: the table has no field ${field}`);
        else if (raw !== null) problems.push(`${where}: field ${field} is not numeric (${JSON.stringify(raw).slice(0, 40)})`);
        continue;
      }
      const metric = `${String(v.database)}.${String(v.table)}.${field}`;
      out.push({ metric: { endpoint: rule.endpoint, metric, timestamp, step: rule.step, value, counterType: rule.counterType, tags }, aggregation: rule.aggregation });
    }
  }
  return { points: out, problems };
}

const combine = { last: (_a: number, b: number) => b, sum: (a: number, b: number) => a + b, max: Math.max, min: Math.min };

/**
 * Data points of one batch aggregated per counter (endpoint, metric, tags) per step: the rule's
 * `aggregation` (last, sum, max, min) combines the points of a counter that fall in the same step,
 * in stream order. Points of one step that arrive in different batches are not combined.
 */
export function aggregate(points: readonly MeteredPoint[]): FalconMetric[] {
  const byCounter = new Map<string, FalconMetric>();
  for (const { metric, aggregation } of points) {
    const key = `${metric.endpoint}\u0000${metric.metric}\u0000${metric.tags}\u0000${metric.timestamp}`;
    const seen = byCounter.get(key);
    if (seen === undefined) byCounter.set(key, { ...metric });
    else seen.value = combine[aggregation](seen.value, metric.value);
  }
  return [...byCounter.values()];
}
