import { describe, expect, it } from 'vitest';
import { formatTopologyErrors } from '../../../src/topology/errors.js';
import { parseTopology } from '../../../src/topology/load.js';

const text = (clusters: string): string =>
  [
    'name: logs',
    'sources:',
    '  files:',
    '    kind: hdfs',
    '    watch: true',
    '    clusters:',
    clusters,
    'sinks:',
    '  out: { kind: blackhole, inputs: [files] }',
    '',
  ].join('\n');

describe('hdfs source in topology.yaml', () => {
  it('loads with every default applied and runs one replica per configured poller', () => {
    const result = parseTopology(
      text(
        [
          '      - { name: a, backend: { type: webhdfs, url: "http://127.0.0.1:19870" }, weight: 2 }',
          '      - { name: l, backend: { type: local, dir: ./in }, pollers: 3 }',
        ].join('\n'),
      ),
      '/srv/topology.yaml',
    );
    if (!result.ok) throw new Error(formatTopologyErrors(result.errors));
    const node = result.topology.nodes.find((n) => n.id === 'files');
    expect(node?.config).toMatchObject({
      watch: true,
      pollIntervalMs: 2000,
      maxFileBytes: 512 * 1024 * 1024,
      minAgeMs: 0,
      clusters: [
        {
          name: 'a',
          weight: 2,
          pollers: 2,
          paths: ['**/*'],
          connectAttempts: 3,
          unhealthyAfterMs: 30_000,
          probeIntervalMs: 5000,
          backend: { type: 'webhdfs', root: '/', timeoutMs: 10_000 },
        },
        { name: 'l', weight: 1, pollers: 3, backend: { type: 'local', dir: './in' } },
      ],
    });
    expect(node?.kind.replicasFor?.(node.config as never)).toBe(5);
  });

  it('rejects an unknown backend key and a duplicate cluster name, naming where', () => {
    const result = parseTopology(
      text(
        [
          '      - { name: a, backend: { type: local, dir: x, port: 1 } }',
          '      - { name: a, backend: { type: local, dir: y } }',
        ].join('\n'),
      ),
      '/srv/topology.yaml',
    );
    expect(result.ok).toBe(false);
    const errors = result.ok ? '' : formatTopologyErrors(result.errors);
    expect(errors).toMatch(/topology\.yaml:7:\d+.*port/);
    expect(errors).toContain('cluster names must be unique');
  });
});
