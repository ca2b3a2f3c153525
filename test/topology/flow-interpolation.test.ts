import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../src/topology/load.js';
import type { NodeSpec } from '../../src/topology/model.js';
import { errorsOf, yaml } from './helpers.js';
import { testRegistry } from './registry.js';

function nodes(text: string, env: Record<string, string>): Record<string, NodeSpec> {
  const result = parseTopology(text, 'topology.yaml', env, testRegistry);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return Object.fromEntries(result.topology.nodes.map((n) => [n.id, n]));
}

const flow = yaml(
  'sources:',
  '  gen: { kind: generator, count: ${COUNT:-10}, stream: ${STREAM:-a,b: c#d [x]} }',
  'sinks:',
  '  out: { kind: file, inputs: [${INPUT:-gen}], path: ${OUT}/x.jsonl, append: ${APPEND:-false} }',
);

describe('${VAR} inside YAML flow collections', () => {
  it('substitutes unquoted references in { } and [ ], defaults with , : # [ ] included', () => {
    const byId = nodes(flow, { OUT: '/data' });
    expect(byId.gen?.config).toMatchObject({ count: 10, stream: 'a,b: c#d [x]' });
    expect(byId.out?.inputs).toEqual(['gen']);
    expect(byId.out?.config).toMatchObject({ path: '/data/x.jsonl', append: false });
    const set = nodes(flow, { OUT: '/o', COUNT: '3', STREAM: 's', APPEND: 'true' });
    expect(set.gen?.config).toMatchObject({ count: 3, stream: 's' });
    expect(set.out?.config).toMatchObject({ path: '/o/x.jsonl', append: true });
  });

  it('reports a reference in a flow mapping at its position in the file as written', () => {
    expect(errorsOf(flow)).toBe(
      'topology.yaml:4:53: sinks.out.path: environment variable OUT is not set; set it, or give a default: ${OUT:-value}',
    );
  });

  it('still reports a real syntax error beside a reference, with the quoting hint', () => {
    const broken = yaml(
      'sources:',
      '  gen: { kind: generator, count: ${COUNT:-10} ',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
    );
    expect(errorsOf(broken)).toMatch(/^topology\.yaml:\d+:\d+: YAML syntax error: .*quote values that hold/);
  });
});
