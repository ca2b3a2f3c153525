// The pushgateway sink against the real Prometheus Pushgateway (v1.11.5, built from the Go module
// proxy into .infra/pushgateway on first use).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkIO } from '../../../src/actors/io.js';
import { NotConnected } from '../../../src/core/errors.js';
import { pushgatewaySinkKind } from '../../../src/kinds/pushgateway/sink.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import type { LogRecord } from '../../../src/streams/record.js';
import { Pushgateway } from '../../infra/pushgateway/pushgateway.js';
import { actorContext } from '../../kit/actor-context.js';
import { closedPort } from '../hdfs/helpers.js';
import { pushgatewayOrSkip } from './fixtures.js';

const binary = pushgatewayOrSkip();

const point = (metric: string, value: number, tags: string, endpoint = 'db-1', counterType = 'GAUGE'): LogRecord => ({
  value: { endpoint, metric, timestamp: 1_700_000_040, step: 60, value, counterType, tags },
  ts: 0,
});

describe.skipIf(binary === undefined)('pushgateway sink (real Pushgateway)', () => {
  let gateway: Pushgateway;

  beforeAll(async () => {
    gateway = await Pushgateway.start(binary as string);
  }, 900_000);
  afterAll(async () => {
    await gateway.stop();
  });

  async function sink(job: string, over: Record<string, unknown> = {}): Promise<SinkIO> {
    const io = await pushgatewaySinkKind.create(pushgatewaySinkKind.config.parse({ url: gateway.url, job, minBackoffMs: 20, ...over }), actorContext());
    await io.connect();
    return io;
  }
  const write = (io: SinkIO, records: LogRecord[]): ReturnType<SinkIO['write']> => io.write(makeBatch(records, Ack.none(), 'test'));

  it('pushes points grouped by endpoint as gauges and counters with their tags as labels; the last value of a series wins', async () => {
    const io = await sink('types');
    const result = await write(io, [
      point('millrace.orders.qty', 3, 'team=shop,id=1'),
      point('millrace.orders.qty', 5, 'team=shop,id=1'),
      point('millrace.orders.qty', 2, 'team=shop,id=2'),
      point('millrace.orders.total', 99.5, 'id=1', 'db/2', 'COUNTER'),
    ]);
    expect(result).toBeUndefined();
    expect(await gateway.series('types')).toEqual([
      'millrace_orders_qty{id="1",instance="db-1",job="types",team="shop"} 5',
      'millrace_orders_qty{id="2",instance="db-1",job="types",team="shop"} 2',
      'millrace_orders_total{id="1",instance="db/2",job="types"} 99.5',
    ]);
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).toContain('# TYPE millrace_orders_total counter');
    expect(text).toContain('# TYPE millrace_orders_qty gauge');
  });

  it('dead-letters a group the gateway rejects (a type that contradicts the one another group has) with its reason', async () => {
    const io = await sink('conflict');
    await write(io, [point('m.x', 1, 'id=1')]);
    const result = await write(io, [point('m.x', 2, 'id=2', 'db-2', 'COUNTER')]);
    expect(result?.dead).toHaveLength(1);
    expect(result?.dead?.[0]?.reason).toMatch(/^the Pushgateway rejected the push: HTTP 400 .+/);
    expect(await gateway.series('conflict')).toEqual(['m_x{id="1",instance="db-1",job="conflict"} 1']);
  });

  it('reports an unreachable gateway as a lost connection', async () => {
    const io = await pushgatewaySinkKind.create(pushgatewaySinkKind.config.parse({ url: `http://127.0.0.1:${await closedPort()}` }), actorContext());
    await expect(io.connect()).rejects.toBeInstanceOf(NotConnected);
  });
});
