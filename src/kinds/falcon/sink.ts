import { setTimeout as sleep } from 'node:timers/promises';
import type { DeadRecord } from '../../actors/io.js';
import { defineSink } from '../../actors/kind.js';
import { InvalidConfig, NotConnected, errorMessage } from '../../core/errors.js';
import type { LogRecord } from '../../streams/record.js';
import { falconSinkConfig, type FalconSinkConfig } from './sink-config.js';

const fields = { endpoint: 'string', metric: 'string', timestamp: 'number', step: 'number', value: 'number', counterType: 'string', tags: 'string' } as const;

/** Why a record is not an Open-Falcon data point (a missing or mistyped field), or undefined. */
function notAPoint(record: LogRecord): string | undefined {
  const v = record.value;
  if (typeof v !== 'object' || v instanceof Uint8Array) return 'not an Open-Falcon data point: the value is not a structure';
  for (const [field, type] of Object.entries(fields)) if (typeof v[field] !== type) return `not an Open-Falcon data point: ${field} must be a ${type}`;
  return undefined;
}

type Outcome = { ok: true } | { ok: false; rejected: string } | { ok: false; retry: string };

async function push(config: FalconSinkConfig, records: readonly LogRecord[]): Promise<Outcome> {
  try {
    const res = await fetch(config.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(records.map((r) => r.value)),
      signal: AbortSignal.timeout(config.timeoutMs),
    });
    const text = (await res.text()).trim();
    if (res.status >= 400 && res.status < 500) return { ok: false, rejected: `the Open-Falcon agent rejected the push: HTTP ${res.status} ${text}` };
    if (res.ok && text === 'success') return { ok: true };
    return { ok: false, retry: `HTTP ${res.status} ${text.slice(0, 200)}` };
  } catch (error) {
    return { ok: false, retry: errorMessage(error) };
  }
}

/**
 * The `falcon` sink: pushes data points to an Open-Falcon agent, `maxPointsPerPush` per request.
 * Connecting pushes an empty array: an agent that is down is a lost connection (backoff), an
 * endpoint that rejects it is a wrong url.
 * A batch is acknowledged only once the agent answered `success` to every request. A 4xx answer
 * dead-letters that request's records with the agent's reason; a timeout, a network error or a
 * 5xx answer is retried with doubling backoff, and after `maxAttempts` the sink reports the agent
 * unreachable: the runtime backs off and delivers the batch again.
 *
 * @example
 * sinks:
 *   falcon: { kind: falcon, inputs: [metrics], url: http://127.0.0.1:1988/v1/push }
 */
export const falconSinkKind = defineSink({
  name: 'falcon',
  example: { url: 'http://127.0.0.1:1988/v1/push' },
  description: 'Pushes Open-Falcon data points to an agent (/v1/push); acks after its success, dead-letters what it rejects.',
  config: falconSinkConfig,
  delivery: {
    guarantee: 'at-least-once',
    detail:
      'A batch is acked after the agent answered success to all its requests; when a later request of a batch fails for good, the batch is delivered again and its earlier requests are pushed twice (the same counter and timestamp: Open-Falcon keeps one value per step, so a repeated point overwrites itself).',
  },
  create(config: FalconSinkConfig, ctx) {
    return {
      // An empty push: the agent answers success without storing anything, so it is up and speaks the API.
      async connect() {
        const outcome = await push(config, []);
        if ('rejected' in outcome) throw new InvalidConfig(`falcon sink ${ctx.id}: ${config.url} is not an Open-Falcon push endpoint: ${outcome.rejected}`);
        if ('retry' in outcome) throw new NotConnected(`falcon sink ${ctx.id}: ${config.url}: ${outcome.retry}`);
      },
      async write(batch) {
        const dead: DeadRecord[] = [];
        const points: LogRecord[] = [];
        for (const record of batch.records) {
          const why = notAPoint(record);
          if (why === undefined) points.push(record);
          else dead.push({ record, reason: why });
        }
        for (let from = 0; from < points.length; from += config.maxPointsPerPush) {
          const chunk = points.slice(from, from + config.maxPointsPerPush);
          for (let attempt = 1; ; attempt++) {
            const outcome = await push(config, chunk);
            if (outcome.ok) break;
            if ('rejected' in outcome) {
              for (const record of chunk) dead.push({ record, reason: outcome.rejected });
              break;
            }
            if (attempt >= config.maxAttempts) throw new NotConnected(`falcon sink ${ctx.id}: ${config.url} after ${attempt} attempts: ${outcome.retry}`);
            ctx.log.warn({ attempt, reason: outcome.retry }, 'falcon push failed; retrying');
            await sleep(Math.min(config.maxBackoffMs, config.minBackoffMs * 2 ** (attempt - 1)), undefined, { signal: ctx.signal });
          }
        }
        return dead.length > 0 ? { dead } : undefined;
      },
      async close() {},
    };
  },
});
