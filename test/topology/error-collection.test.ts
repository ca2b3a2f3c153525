import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../src/topology/load.js';
import { errorsOf, yaml } from './helpers.js';
import { testRegistry } from './registry.js';

describe('error collection', () => {
  it('reports every error at once, in file order', () => {
    const text = yaml(
      'sources:',
      '  gen: { kind: generator, cout: 10 }',
      '  other: { kind: generatr }',
      'stages:',
      '  upper: { kind: map, inputs: [gen], replicas: 0, module: m.mjs }',
      'sinks:',
      '  out: { kind: file, inputs: [uper, other], path: "${OUT}" }',
      '  dlq: { kind: deadletter, inputs: [out] }',
    );
    expect(errorsOf(text).split('\n')).toEqual([
      'topology.yaml:2:27: sources.gen.cout: unknown key "cout"; expected one of kind, replicas, supervision, count, rate, batchSize, stream; did you mean "count"?',
      'topology.yaml:3:18: sources.other.kind: unknown source kind "generatr"; expected one of generator; did you mean "generator"?',
      'topology.yaml:5:48: stages.upper.replicas: too small; expected a number greater than 0, found 0',
      'topology.yaml:7:31: sinks.out.inputs[0]: unknown input "uper"; expected the id of a source or stage (gen, other, upper); did you mean "upper"?',
      'topology.yaml:7:52: sinks.out.path: environment variable OUT is not set; set it, or give a default: ${OUT:-value}',
      'topology.yaml:8:28: sinks.dlq.inputs: sink kind "deadletter" takes no inputs; remove "inputs": the runtime itself feeds this sink',
    ]);
  });

  it('returns structured errors: message, expected, found and hint apart', () => {
    const result = parseTopology(
      yaml(
        'sources:',
        '  gen: { kind: generator, count: ten }',
        'sinks:',
        '  out: { kind: file, inputs: [gen], path: x }',
      ),
      'topology.yaml',
      {},
      testRegistry,
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          file: 'topology.yaml',
          line: 2,
          column: 34,
          path: 'sources.gen.count',
          message: 'wrong type',
          expected: 'a number',
          found: 'string "ten"',
        },
      ],
    });
  });

  it('keeps one YAML error per mistake rather than the cascade after it', () => {
    const text = yaml(
      'sources:',
      '  gen: { kind: generator, count: ${N} }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
    );
    expect(errorsOf(text).split('\n')).toHaveLength(1);
  });
});

describe('hostile YAML', () => {
  it('stops expanding aliases past a budget (billion laughs)', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const name = String.fromCharCode(97 + i);
      const previous = String.fromCharCode(96 + i);
      lines.push(`${name}: &${name} [${Array<string>(10).fill(`*${previous}`).join(', ')}]`);
    }
    expect(errorsOf(yaml(...lines))).toMatch(
      /: document too large after expanding aliases; expected at most 100000 values from aliases$/,
    );
  });

  it('rejects an alias inside its own anchor', () => {
    expect(errorsOf(yaml('sources: &x', '  g: *x'))).toContain(
      'topology.yaml:2:6: sources.g.g: alias *x refers to itself or to nothing',
    );
  });
});
