import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supervisionSchema } from '../../src/actors/supervision/schema.js';
import { channelSchema } from '../../src/streams/overflow.js';
import { formatTopologyErrors } from '../../src/topology/errors.js';
import { loadTopology, parseTopology } from '../../src/topology/load.js';
import { consumersOf, type Topology } from '../../src/topology/model.js';
import { retrySchema } from '../../src/topology/node-schema.js';
import { transportSchema } from '../../src/transport/schema.js';
import { testDeadletter, testFile, testGenerator, testMap, testRegistry } from './registry.js';

const text = [
  '# yaml-language-server: $schema=./schema/topology.schema.json',
  'sources:',
  '  gen: { kind: generator, count: 1000, rate: 0 }',
  'stages:',
  '  upper:',
  '    kind: map',
  '    inputs: [gen]',
  '    replicas: 2',
  '    module: ./upper.mjs',
  '    channel: { maxRecords: 100 }',
  '    supervision: { strategy: one_for_all, backoff: { minMs: 5 } }',
  '    retry: { maxAttempts: 2 }',
  '  tee: { kind: map, inputs: [gen, upper], module: ./tee.mjs }',
  'sinks:',
  '  dlq: { kind: deadletter }',
  '  out: { kind: file, inputs: [tee], path: out/records.jsonl }',
  '',
].join('\n');

function parse(source: string, file = '/srv/pipelines/demo.yaml'): Topology {
  const result = parseTopology(source, file, {}, testRegistry);
  if (!result.ok) throw new Error(formatTopologyErrors(result.errors));
  return result.topology;
}

describe('a valid topology', () => {
  const topology = parse(text);

  it('names itself after the file and keeps state beside it', () => {
    expect(topology.file).toBe(path.resolve('/srv/pipelines/demo.yaml'));
    expect(topology.baseDir).toBe(path.resolve('/srv/pipelines'));
    expect(topology.name).toBe('demo');
    expect(topology.dataDir).toBe(path.resolve('/srv/pipelines/.millrace'));
  });

  it('lists actors in file order with kinds resolved and every default applied', () => {
    expect(topology.nodes.map((n) => [n.id, n.role, n.kind.name])).toEqual([
      ['gen', 'source', 'generator'],
      ['upper', 'stage', 'map'],
      ['tee', 'stage', 'map'],
      ['dlq', 'sink', 'deadletter'],
      ['out', 'sink', 'file'],
    ]);
    const [gen, upper, tee, dlq, out] = topology.nodes;
    expect(gen).toEqual({
      id: 'gen',
      role: 'source',
      kind: testGenerator,
      config: { count: 1000, rate: 0, batchSize: 500 },
      inputs: [],
      replicas: 1,
      supervision: supervisionSchema.parse({}),
      channel: channelSchema.parse({}),
      retry: retrySchema.parse({}),
      at: { line: 3, column: 3 },
    });
    expect(upper).toMatchObject({
      kind: testMap,
      config: { module: './upper.mjs', concurrency: 4 },
      inputs: ['gen'],
      replicas: 2,
      channel: channelSchema.parse({ maxRecords: 100 }),
      supervision: supervisionSchema.parse({ strategy: 'one_for_all', backoff: { minMs: 5 } }),
      retry: retrySchema.parse({ maxAttempts: 2 }),
      at: { line: 5, column: 3 },
    });
    expect(tee?.inputs).toEqual(['gen', 'upper']);
    expect(dlq).toMatchObject({ kind: testDeadletter, inputs: [], config: { path: 'dead.jsonl' } });
    expect(out).toMatchObject({
      kind: testFile,
      config: { path: 'out/records.jsonl', append: true },
    });
  });

  it('orders actors sources first, each after its inputs, input-less sinks last', () => {
    expect(topology.order).toEqual(['gen', 'upper', 'tee', 'out', 'dlq']);
  });

  it('finds the consumers of an actor', () => {
    expect(consumersOf(topology, 'gen').map((n) => n.id)).toEqual(['upper', 'tee']);
    expect(consumersOf(topology, 'out')).toEqual([]);
  });

  it('takes name, version and dataDir when given', () => {
    const named = parse(`version: 1\nname: billing\ndataDir: ../state\n${text}`);
    expect(named.name).toBe('billing');
    expect(named.dataDir).toBe(path.resolve('/srv/state'));
    expect(parse(`dataDir: /var/lib/millrace\n${text}`).dataDir).toBe(
      path.resolve('/var/lib/millrace'),
    );
  });

  it('reads the transport, with its defaults, and leaves it out when absent', () => {
    expect(topology.transport).toBeUndefined();
    const kafka = parse(`transport:\n  type: kafka\n  brokers: [k1:9092]\n${text}`);
    expect(kafka.transport).toEqual(transportSchema.parse({ type: 'kafka', brokers: ['k1:9092'] }));
  });

  it('accepts YAML anchors and aliases', () => {
    const aliased = parse(
      'sources:\n  gen: { kind: generator }\nsinks:\n  a: { kind: file, inputs: &in [gen], path: a }\n  b: { kind: file, inputs: *in, path: b }\n',
    );
    expect(aliased.nodes.map((n) => n.inputs)).toEqual([[], ['gen'], ['gen']]);
  });

  it('leaves process.env itself in place after parsing, variables included', () => {
    const env = process.env;
    process.env.MILLRACE_LOAD_TEST = 'kept';
    try {
      parseTopology('sources:\n  gen: { kind: generator }\nsinks:\n  out: { kind: file, path: ${MILLRACE_LOAD_TEST}, inputs: [gen] }\n', 'x.yaml', undefined, testRegistry);
      expect(process.env).toBe(env);
      expect(process.env.MILLRACE_LOAD_TEST).toBe('kept');
    } finally {
      delete process.env.MILLRACE_LOAD_TEST;
    }
  });

  it('resolves kinds through the real registry by default', () => {
    const result = parseTopology('sources:\n  gen: { kind: nope }\nsinks: {}\n', 'x.yaml', {});
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]?.expected).toContain('generator');
  });
});

describe('loadTopology', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'millrace-topology-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file and resolves paths against its directory', async () => {
    const file = path.join(dir, 'pipeline.yml');
    await writeFile(file, text);
    const result = await loadTopology(file, {}, testRegistry);
    expect(result.ok && [result.topology.name, result.topology.dataDir]).toEqual([
      'pipeline',
      path.join(dir, '.millrace'),
    ]);
  });

  it('reports a file it cannot read as an error', async () => {
    const file = path.join(dir, 'missing.yaml');
    const result = await loadTopology(file, {}, testRegistry);
    expect(result.ok).toBe(false);
    expect(!result.ok && formatTopologyErrors(result.errors)).toMatch(
      /^.*missing\.yaml:1:1: cannot read the topology file: ENOENT/,
    );
  });
});
