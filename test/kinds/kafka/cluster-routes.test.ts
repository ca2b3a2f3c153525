import { describe, expect, it } from 'vitest';
import { clusterRoutesSchema } from '../../../src/kinds/kafka/cluster-routes-config.js';
import { byCluster } from '../../../src/kinds/kafka/cluster-routes.js';
import type { LogRecord } from '../../../src/streams/record.js';

describe('kafka sink routes by cluster header', () => {
  const routes = clusterRoutesSchema.parse({ clusters: { eu: { brokers: ['127.0.0.1:1'] } } });
  const record = (value: string, headers?: Record<string, string>): LogRecord => ({ value, ts: 1, ...(headers && { headers }) });

  it('sends records to the cluster their header names, removing only that header; no header or the own name goes to the own cluster; an unknown name is dead-lettered naming it', () => {
    const out = byCluster(
      [record('a'), record('b', { cluster: 'default', app: 'web' }), record('c', { cluster: 'eu' }), record('d', { cluster: 'us' }), record('e', { cluster: 'eu', app: 'api' })],
      routes,
    );
    expect(out.own).toEqual([record('a'), record('b', { app: 'web' })]);
    expect([...out.others]).toEqual([['eu', [record('c'), record('e', { app: 'api' })]]]);
    expect(out.dead).toHaveLength(1);
    expect(out.dead[0]!.record).toEqual(record('d', { cluster: 'us' }));
    expect(out.dead[0]!.reason).toBe('header cluster names cluster "us", which this sink does not know (known: default, eu); add it under routes.clusters');
  });
});
