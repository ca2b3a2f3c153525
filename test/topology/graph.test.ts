import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTopologyErrors } from '../../src/topology/errors.js';
import {
  findCycles,
  toDot,
  toMermaid,
  topologicalOrder,
  type GraphNode,
} from '../../src/topology/graph.js';
import { parseTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/model.js';
import { testRegistry } from './registry.js';

const text = [
  'name: demo',
  'sources:',
  '  gen: { kind: generator }',
  'stages:',
  '  upper: { kind: map, inputs: [gen], replicas: 2, module: ./upper.mjs }',
  'sinks:',
  '  out: { kind: file, inputs: [upper], path: out.jsonl }',
  '  raw: { kind: file, inputs: [gen], path: raw.jsonl }',
  '  dlq: { kind: deadletter }',
  '',
].join('\n');

function demo(): Topology {
  const result = parseTopology(text, 'topology.yaml', {}, testRegistry);
  if (!result.ok) throw new Error(formatTopologyErrors(result.errors));
  return result.topology;
}

describe('diagrams', () => {
  it('renders Mermaid: stadium sources, rectangle stages, cylinder sinks', () => {
    expect(toMermaid(demo())).toBe(
      [
        '---',
        'title: "demo"',
        '---',
        'flowchart LR',
        '  n0(["gen (generator ×1)"])',
        '  n1["upper (map ×2)"]',
        '  n2[("out (file ×1)")]',
        '  n3[("raw (file ×1)")]',
        '  n4[("dlq (deadletter ×1)")]',
        '  n0 --> n1',
        '  n1 --> n2',
        '  n0 --> n3',
      ].join('\n'),
    );
  });

  it('renders Graphviz DOT: oval sources, box stages, cylinder sinks', () => {
    expect(toDot(demo())).toBe(
      [
        'digraph "demo" {',
        '  rankdir=LR;',
        '  "gen" [label="gen (generator ×1)", shape=oval];',
        '  "upper" [label="upper (map ×2)", shape=box];',
        '  "out" [label="out (file ×1)", shape=cylinder];',
        '  "raw" [label="raw (file ×1)", shape=cylinder];',
        '  "dlq" [label="dlq (deadletter ×1)", shape=cylinder];',
        '  "gen" -> "upper";',
        '  "upper" -> "out";',
        '  "gen" -> "raw";',
        '}',
      ].join('\n'),
    );
  });
});

const node = (id: string, role: GraphNode['role'], inputs: string[] = []): GraphNode => ({
  id,
  role,
  inputs,
});

describe('findCycles', () => {
  it('finds none in a DAG', () => {
    expect(
      findCycles([node('a', 'source'), node('b', 'stage', ['a']), node('c', 'sink', ['a', 'b'])]),
    ).toEqual([]);
  });

  it('reports each cycle once, from its first actor in file order, along the data flow', () => {
    const nodes = [
      node('src', 'source'),
      node('x', 'stage', ['src', 'z']),
      node('y', 'stage', ['x']),
      node('z', 'stage', ['y']),
      node('p', 'stage', ['q']),
      node('q', 'stage', ['p', 'q']),
      node('s', 'stage', ['s']),
    ];
    expect(findCycles(nodes)).toEqual([
      ['x', 'y', 'z', 'x'],
      ['p', 'q', 'p'],
      ['s', 's'],
    ]);
  });

  it('handles a chain of 200k actors, and a cycle closing it, without overflowing the call stack', () => {
    const chain = [node('s0', 'source'), ...Array.from({ length: 200_000 }, (_, i) => node(`s${i + 1}`, 'stage', [`s${i}`]))];
    expect(findCycles(chain)).toEqual([]);
    expect(topologicalOrder(chain)).toHaveLength(200_001);
    const closed = [node('a', 'stage', ['s200000']), ...chain.slice(1)];
    closed[1] = node('s1', 'stage', ['a']);
    const [cycle] = findCycles(closed);
    expect(cycle?.slice(0, 3)).toEqual(['a', 's1', 's2']);
    expect(cycle).toHaveLength(200_002);
  });
});

describe('topologicalOrder', () => {
  it('puts sources first and every actor after its inputs (property)', () => {
    const dag = fc
      .integer({ min: 1, max: 12 })
      .chain((n) =>
        fc.tuple(
          fc.constant(n),
          fc.array(fc.array(fc.nat(), { maxLength: 3 }), { minLength: n, maxLength: n }),
          fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        ),
      );
    fc.assert(
      fc.property(dag, ([n, picks, isSource]) => {
        const nodes: GraphNode[] = [];
        for (let i = 0; i < n; i++) {
          const earlier = nodes.map((x) => x.id);
          const source = i === 0 || (isSource[i] ?? false) || earlier.length === 0;
          const inputs = source
            ? []
            : [...new Set((picks[i] ?? [0]).map((p) => earlier[p % earlier.length] ?? 'n0'))];
          nodes.push(node(`n${i}`, source ? 'source' : 'stage', inputs));
        }
        const shuffled = [...nodes].reverse();
        const order = topologicalOrder(shuffled);
        expect([...order].sort()).toEqual(nodes.map((x) => x.id).sort());
        const at = new Map(order.map((id, i) => [id, i]));
        const sources = nodes.filter((x) => x.role === 'source').length;
        for (const x of nodes) {
          if (x.role === 'source') expect(at.get(x.id)).toBeLessThan(sources);
          for (const input of x.inputs) expect(at.get(input)).toBeLessThan(at.get(x.id) ?? -1);
        }
      }),
    );
  });

  it('keeps file order where the graph allows and puts input-less sinks last', () => {
    const nodes = [
      node('dlq', 'sink'),
      node('b', 'stage', ['a']),
      node('a', 'source'),
      node('c', 'sink', ['b']),
    ];
    expect(topologicalOrder(nodes)).toEqual(['a', 'b', 'c', 'dlq']);
  });
});
