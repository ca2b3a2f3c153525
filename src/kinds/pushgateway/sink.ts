import { z } from 'zod';
import type { DeadRecord } from '../../actors/io.js';
import { defineSink } from '../../actors/kind.js';
import { NotConnected } from '../../core/errors.js';
import type { LogRecord } from '../../streams/record.js';
import type { FalconMetric } from '../../cdc/falcon-metric.js';
import { postOnce, postWithRetries, retryingPostSettings } from '../../core/retrying-post.js';
import { exposition } from './exposition.js';

export const pushgatewaySinkConfig = z
  .strictObject({
    url: z.url().default('http://127.0.0.1:9091').describe('The Prometheus Pushgateway.'),
    job: z.string().min(1).default('millrace').describe('The `job` of the grouping key; `instance` is each point\'s endpoint.'),
    ...retryingPostSettings,
  })
  .describe('Pushes Open-Falcon data points (from the falcon stage) to a Prometheus Pushgateway, grouped by job and endpoint.');

export type PushgatewaySinkConfig = z.output<typeof pushgatewaySinkConfig>;

/** The group URL of `endpoint`: base64url-encoded, so any value (a `/` too) is one path segment. */
function groupUrl(config: PushgatewaySinkConfig, endpoint: string): string {
  const seg = (label: string, value: string): string => `${label}@base64/${Buffer.from(value).toString('base64url') || '='}`;
  return `${config.url.replace(/\/+$/, '')}/metrics/${seg('job', config.job)}/${seg('instance', endpoint)}`;
}

/** The data point a record holds, or undefined when it holds none. */
function pointOf(record: LogRecord): FalconMetric | undefined {
  const v = record.value;
  if (typeof v !== 'object' || v instanceof Uint8Array) return undefined;
  const ok = typeof v.endpoint === 'string' && typeof v.metric === 'string' && typeof v.value === 'number' && typeof v.tags === 'string';
  return ok ? (v as unknown as FalconMetric) : undefined;
}

/**
 * The `pushgateway` sink: the falcon stage's data points, pushed to a Prometheus Pushgateway with
 * POST (replacing the same metric names in the group) per grouping key `job`/`instance` =
 * endpoint. Metric names are the points' with invalid characters as `_` (`millrace_orders_qty`);
 * tags become labels, COUNTER a counter and GAUGE a gauge; no timestamps (the Pushgateway keeps
 * the push time). A batch is acked once every group was accepted; a 4xx answer (inconsistent
 * types, invalid names) dead-letters that group's records with the reason; other failures are
 * retried with backoff, then reported as a lost connection.
 *
 * @example
 * sinks:
 *   prom: { kind: pushgateway, inputs: [metrics], url: http://127.0.0.1:9091, job: cdc }
 */
export const pushgatewaySinkKind = defineSink({
  name: 'pushgateway',
  example: { url: 'http://127.0.0.1:9091', job: 'cdc' },
  description: 'Pushes Open-Falcon data points to a Prometheus Pushgateway per job and endpoint; dead-letters what it rejects.',
  config: pushgatewaySinkConfig,
  delivery: {
    guarantee: 'idempotent',
    detail: 'A group pushed again replaces its series with the same values; after a failure a batch is delivered again, so a series may briefly show an older value of that batch before its newest.',
  },
  create(config: PushgatewaySinkConfig, ctx) {
    return {
      async connect() {
        try {
          const res = await fetch(`${config.url.replace(/\/+$/, '')}/-/ready`, { signal: AbortSignal.timeout(config.timeoutMs) });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
        } catch (error) {
          throw new NotConnected(`pushgateway sink ${ctx.id}: ${config.url} is not ready`, { cause: error });
        }
      },
      async write(batch) {
        const dead: DeadRecord[] = [];
        const groups = new Map<string, { records: LogRecord[]; points: FalconMetric[] }>();
        for (const record of batch.records) {
          const point = pointOf(record);
          if (point === undefined) {
            dead.push({ record, reason: 'not an Open-Falcon data point (endpoint, metric, value, tags)' });
            continue;
          }
          const group = groups.get(point.endpoint) ?? { records: [], points: [] };
          group.records.push(record);
          group.points.push(point);
          groups.set(point.endpoint, group);
        }
        for (const [endpoint, { records, points }] of groups) {
          const body = exposition(points);
          const url = groupUrl(config, endpoint);
          const rejected = await postWithRetries(config, ctx, `push to ${config.url}`, () => postOnce(url, body, 'text/plain; version=0.0.4', config.timeoutMs, () => true));
          if (rejected !== undefined) for (const record of records) dead.push({ record, reason: `the Pushgateway rejected the push: ${rejected}` });
        }
        return dead.length > 0 ? { dead } : undefined;
      },
      async close() {},
    };
  },
});
