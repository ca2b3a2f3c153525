import { beforeAll, describe, expect, it } from 'vitest';
import { subGraphIds } from '../../src/authoring/sub-graph.js';
import { collected, testDeadLetterKind, testInputKind, testOutputKind } from '../../src/authoring/test-kinds.js';
import { TEST_DEAD_LETTER_ID, TEST_INPUT_ID, testTopology } from '../../src/authoring/test-topology.js';
import { formatTopologyErrors } from '../../src/topology/errors.js';
import { parseTopology } from '../../src/topology/load.js';
import type { NodeSpec, Topology } from '../../src/topology/model.js';
import { demoTopology, yaml } from './helpers.js';

const into = collected();
const kinds = { input: testInputKind([]), output: testOutputKind(into), deadLetter: testDeadLetterKind(into) };

/** gen → a → (b, c) → d → out; a → side → other; c → spread(distribute) → (p, q). */
const branching = yaml(
  'sources:',
  '  gen: { kind: generator, count: 10 }',
  'stages:',
  '  a: { kind: map, inputs: [gen], module: a.mjs }',
  '  b: { kind: map, inputs: [a], module: b.mjs, replicas: 3 }',
  '  c: { kind: filter, inputs: [a], module: c.mjs, retry: { maxAttempts: 7 } }',
  '  side: { kind: map, inputs: [a], module: s.mjs }',
  '  d: { kind: map, inputs: [b, c], module: d.mjs, channel: { maxRecords: 10 } }',
  'sinks:',
  '  out: { kind: file, inputs: [d], path: out.jsonl }',
  '  other: { kind: file, inputs: [side, c], path: other.jsonl }',
);

function parse(text: string): Topology {
  const result = parseTopology(text, '/srv/t.yaml', {});
  if (!result.ok) throw new Error(formatTopologyErrors(result.errors));
  return result.topology;
}

const byId = (t: Topology, id: string): NodeSpec | undefined => t.nodes.find((n) => n.id === id);

describe('the sub-graph of a test target', () => {
  it('is every actor on a path from `from` to `to`, in file order', () => {
    const t = parse(branching);
    expect(subGraphIds(t, { from: 'a', to: 'd' })).toEqual(['a', 'b', 'c', 'd']);
    expect(subGraphIds(t, { from: 'b', to: 'd' })).toEqual(['b', 'd']);
    expect(subGraphIds(t, { from: 'c', to: 'c' })).toEqual(['c']);
    expect(subGraphIds(t, { from: 'd', to: 'a' })).toEqual([]);
  });
});

describe('the topology a test runs', () => {
  let demo: Topology;
  beforeAll(async () => {
    demo = await demoTopology();
  });

  it('keeps the target stages exactly as configured, only shortening restart delays', () => {
    const t = testTopology(demo, { from: 'enrich', to: 'warnings' }, kinds, '/tmp/state');
    for (const id of ['enrich', 'warnings']) {
      const original = byId(demo, id) as NodeSpec;
      const kept = byId(t, id) as NodeSpec;
      expect(kept.kind).toBe(original.kind);
      expect(kept.config).toEqual(original.config);
      expect([kept.replicas, kept.channel, kept.retry]).toEqual([original.replicas, original.channel, original.retry]);
      expect(kept.supervision.strategy).toBe(original.supervision.strategy);
      expect(kept.supervision.intensity).toEqual(original.supervision.intensity);
      expect(kept.supervision.backoff.maxMs).toBeLessThanOrEqual(10);
    }
    expect(byId(t, 'enrich')?.replicas).toBe(2);
    expect(byId(t, 'enrich')?.config.module).toBe('modules/enrich.mjs');
  });

  it('feeds the first stage from the stand-in source and replaces the rest of the topology by stand-in sinks', () => {
    const t = testTopology(demo, { from: 'enrich', to: 'warnings' }, kinds, '/tmp/state');
    expect(t.nodes.map((n) => [n.id, n.role, n.kind.name, n.inputs])).toEqual([
      [TEST_INPUT_ID, 'source', 'test-input', []],
      ['enrich', 'stage', 'map', [TEST_INPUT_ID]],
      ['warnings', 'stage', 'filter', ['enrich']],
      ['all', 'sink', 'test-output', ['enrich']],
      ['warn', 'sink', 'test-output', ['warnings']],
      [TEST_DEAD_LETTER_ID, 'sink', 'test-deadletter', []],
    ]);
    expect(t.order).toEqual([TEST_INPUT_ID, 'enrich', 'warnings', 'all', 'warn', TEST_DEAD_LETTER_ID]);
    expect([t.baseDir, t.dataDir]).toEqual([demo.baseDir, '/tmp/state']);
  });

  it('keeps every consumer of the sub-graph, so partitioning stages see the consumers they were configured with', () => {
    const t = testTopology(parse(branching), { from: 'a', to: 'c' }, kinds, '/tmp/state');
    expect(t.nodes.map((n) => [n.id, n.kind.name, n.inputs])).toEqual([
      [TEST_INPUT_ID, 'test-input', []],
      ['a', 'map', [TEST_INPUT_ID]],
      ['b', 'test-output', ['a']],
      ['c', 'filter', ['a']],
      ['side', 'test-output', ['a']],
      ['d', 'test-output', ['c']],
      ['other', 'test-output', ['c']],
      [TEST_DEAD_LETTER_ID, 'test-deadletter', []],
    ]);
    expect(byId(t, 'c')?.retry.maxAttempts).toBe(7);
    expect(byId(t, 'gen')).toBeUndefined();
  });

  it('refuses a target that is not a path of the topology', () => {
    expect(() => testTopology(parse(branching), { from: 'd', to: 'a' }, kinds, '/tmp/state')).toThrow('"a" is not downstream of "d"');
  });
});
