import type { DeadRecord } from '../../actors/io.js';
import { defineSink } from '../../actors/kind.js';
import { InvalidConfig, NotConnected } from '../../core/errors.js';
import { postOnce, postWithRetries, type PostOutcome } from '../../core/retrying-post.js';
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

/** One push of `records`; the agent answers `success` to what it accepts. */
function push(config: FalconSinkConfig, records: readonly LogRecord[]): Promise<PostOutcome> {
  const body = JSON.stringify(records.map((r) => r.value));
  return postOnce(config.url, body, 'application/json', config.timeoutMs, (_status, text) => text === 'success');
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
        if ('rejected' in outcome) throw new InvalidConfig(`falcon sink ${ctx.id}: ${config.url} is not an Open-Falcon push endpoint: the agent rejected the push: ${outcome.rejected}`);
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
          const rejected = await postWithRetries(config, ctx, `falcon push to ${config.url}`, () => push(config, chunk));
          if (rejected !== undefined) for (const record of chunk) dead.push({ record, reason: `the Open-Falcon agent rejected the push: ${rejected}` });
        }
        return dead.length > 0 ? { dead } : undefined;
      },
      async close() {},
    };
  },
});
