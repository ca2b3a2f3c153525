// The falcon sink against the API-faithful stand-in of the Open-Falcon agent's /v1/push
// (test/infra/falcon-agent: no Open-Falcon build can be fetched here).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SinkIO } from '../../../src/actors/io.js';
import { NotConnected } from '../../../src/core/errors.js';
import { falconSinkKind } from '../../../src/kinds/falcon/sink.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import type { LogRecord } from '../../../src/streams/record.js';
import { startPushReceiver, type PushReceiver } from '../../infra/falcon-agent/push-receiver.js';
import { actorContext } from '../../kit/actor-context.js';
import { points } from './fixtures.js';

describe('falcon sink', () => {
  let agent: PushReceiver;

  beforeEach(async () => {
    agent = await startPushReceiver();
  });
  afterEach(async () => {
    await agent.close();
  });

  async function sink(over: Record<string, unknown> = {}): Promise<SinkIO> {
    const io = await falconSinkKind.create(falconSinkKind.config.parse({ url: agent.url, minBackoffMs: 20, ...over }), actorContext());
    await io.connect();
    return io;
  }
  const write = (io: SinkIO, records: LogRecord[]): ReturnType<SinkIO['write']> => io.write(makeBatch(records, Ack.none(), 'test'));
  const pushed = (): number[][] => agent.pushes.filter((p) => p.length > 0).map((p) => p.map((m) => m.value));

  it('pushes the points as JSON arrays of at most maxPointsPerPush, resolving once the agent said success', async () => {
    const io = await sink({ maxPointsPerPush: 4 });
    expect(await write(io, points(10))).toBeUndefined();
    expect(pushed()).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('retries a 5xx answer and a timeout with backoff, and resolves only after the success', async () => {
    const io = await sink({ timeoutMs: 200 });
    agent.failNext(2, 503);
    expect(await write(io, points(3))).toBeUndefined();
    agent.delayNext(1, 500);
    expect(await write(io, points(2))).toBeUndefined();
    // The timed-out push may still land after its timeout: then the agent has it twice, never lost.
    expect(pushed().filter((p) => p.length === 3)).toEqual([[0, 1, 2]]);
    expect(pushed().at(-1)).toEqual([0, 1]);
  });

  it('reports the agent unreachable after maxAttempts, leaving the batch unacknowledged', async () => {
    const io = await sink({ maxAttempts: 3 });
    agent.failNext(3, 502);
    await expect(write(io, points(2))).rejects.toBeInstanceOf(NotConnected);
    expect(pushed()).toEqual([]);
  });

  it('dead-letters a request the agent rejects (HTTP 400) with its reason, and records that are no data points', async () => {
    const io = await sink();
    const bad = points(2).map((r) => ({ ...r, value: { ...(r.value as object), counterType: 'DERIVE' } }));
    const notPoint: LogRecord = { value: { endpoint: 'x', metric: 'y' }, ts: 0 };
    const result = await write(io, [...bad, notPoint]);
    expect(result?.dead?.map((d) => d.reason)).toEqual([
      'not an Open-Falcon data point: timestamp must be a number',
      'the Open-Falcon agent rejected the push: HTTP 400 metric 0: counterType must be GAUGE or COUNTER',
      'the Open-Falcon agent rejected the push: HTTP 400 metric 0: counterType must be GAUGE or COUNTER',
    ]);
    expect(pushed()).toEqual([]);
  });

  it('fails to connect to an endpoint that is not an agent push API', async () => {
    const io = await falconSinkKind.create(falconSinkKind.config.parse({ url: agent.url.replace('/v1/push', '/v1/pull') }), actorContext());
    await expect(io.connect()).rejects.toThrow(/is not an Open-Falcon push endpoint: .*HTTP 404/);
  });
});
