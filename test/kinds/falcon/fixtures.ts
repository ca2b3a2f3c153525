import type { Json, LogRecord } from '../../../src/streams/record.js';
import { onTestFinished } from 'vitest';
import { startPushReceiver } from '../../infra/falcon-agent/push-receiver.js';

/** A watch rule as the binlog source attaches it, metering `fields` of millrace.orders. */
export function rule(over: Record<string, Json> = {}): { [key: string]: Json } {
  return { id: 1, db: 'millrace', tbl: 'orders', fields: '*numeric', endpoint: 'db-1', step: 60, counterType: 'GAUGE', tags: 'team=shop', aggregation: 'last', ...over };
}

/** A binlog row change of millrace.orders at `ts` ms, with the watch rules it carries. */
export function orderChange(id: number, after: { [column: string]: Json } | null, ts: number, watch: Json[] = [rule()], op = 'update'): LogRecord {
  return {
    value: { database: 'millrace', table: 'orders', op, before: null, after, pk: { id }, gtid: '0-1-1', position: 'mariadb-bin.000001:4', row: 0, watch },
    ts,
  };
}

/** Data points as the falcon stage makes them. */
export function points(n: number): LogRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    value: { endpoint: 'db-1', metric: 'millrace.orders.amount', timestamp: 1_700_000_040, step: 60, value: i, counterType: 'GAUGE', tags: `id=${i}` },
    ts: 1_700_000_040_000,
  }));
}

/** A push receiver on a free port for the falcon sink's example, and the setting that points it there. */
export async function exampleFalconAgent(): Promise<{ url: string }> {
  const agent = await startPushReceiver(0);
  onTestFinished(() => agent.close());
  return { url: agent.url };
}
