import { describe, expect, it } from 'vitest';
import { errorsOf, yaml, type MalformedCase } from './helpers.js';

/** Each case breaks one thing in how actors are named and wired. */
const cases: MalformedCase[] = [
  {
    name: 'missing inputs',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'stages:',
      '  upper: { kind: map, module: m.mjs }',
      'sinks:',
      '  out: { kind: file, inputs: [upper], path: x }',
    ),
    error:
      'topology.yaml:4:3: stages.upper: missing required key "inputs"; expected a list of source or stage ids; for example inputs: [gen]',
  },
  {
    name: 'empty inputs',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'sinks:',
      '  out: { kind: file, inputs: [], path: x }',
      '  out2: { kind: file, inputs: [gen], path: y }',
    ),
    error:
      'topology.yaml:4:30: sinks.out.inputs: too small; expected at least 1 item, found an empty list',
  },
  {
    name: 'unknown input, with did-you-mean',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'stages:',
      '  upper: { kind: map, inputs: [gen], module: m.mjs }',
      'sinks:',
      '  out: { kind: file, inputs: [uper], path: x }',
    ),
    error:
      'topology.yaml:6:31: sinks.out.inputs[0]: unknown input "uper"; expected the id of a source or stage (gen, upper); did you mean "upper"?',
  },
  {
    name: 'input naming a sink',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
      '  copy: { kind: file, inputs: [out], path: y }',
    ),
    error:
      'topology.yaml:5:32: sinks.copy.inputs[0]: input "out" is a sink; expected the id of a source or stage (gen); sinks have no output to read',
  },
  {
    name: 'duplicate id across sections',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'stages:',
      '  upper: { kind: map, inputs: [gen], module: m.mjs }',
      'sinks:',
      '  upper: { kind: file, inputs: [upper], path: x }',
    ),
    error:
      'topology.yaml:6:3: sinks.upper: duplicate id "upper"; expected ids unique across sources, stages and sinks; stages.upper at 4:3 has it already',
  },
  {
    name: 'duplicate key in a section',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      '  gen: { kind: generator }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
    ),
    error: 'topology.yaml:3:3: YAML syntax error: Map keys must be unique',
  },
  {
    name: 'invalid id',
    text: yaml(
      'sources:',
      '  1st: { kind: generator }',
      'sinks:',
      '  out: { kind: file, inputs: [1st], path: x }',
    ),
    error:
      'topology.yaml:2:3: sources["1st"]: invalid id "1st"; expected a letter, then letters, digits, _ or -',
  },
  {
    name: 'cycle',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'stages:',
      '  a: { kind: map, inputs: [gen, b], module: m.mjs }',
      '  b: { kind: map, inputs: [a], module: m.mjs }',
      'sinks:',
      '  out: { kind: file, inputs: [b], path: x }',
    ),
    error:
      'topology.yaml:4:3: stages.a: cycle in inputs: a -> b -> a; an actor cannot read its own output, directly or through others',
  },
  {
    name: 'self-loop',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'stages:',
      '  a: { kind: map, inputs: [gen, a], module: m.mjs }',
      'sinks:',
      '  out: { kind: file, inputs: [a], path: x }',
    ),
    error:
      'topology.yaml:4:3: stages.a: cycle in inputs: a -> a; an actor cannot read its own output, directly or through others',
  },
  {
    name: 'dead-letter sink with inputs',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
      '  dlq: { kind: deadletter, inputs: [gen] }',
    ),
    error:
      'topology.yaml:5:28: sinks.dlq.inputs: sink kind "deadletter" takes no inputs; remove "inputs": the runtime itself feeds this sink',
  },
  {
    name: 'two sinks without inputs',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
      '  dlq: { kind: deadletter }',
      '  dlq2: { kind: deadletter }',
    ),
    error:
      'topology.yaml:6:3: sinks.dlq2: only one sink may take no inputs; sinks.dlq already does',
  },
  {
    name: 'source with inputs',
    text: yaml(
      'sources:',
      '  gen: { kind: generator, inputs: [other] }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
    ),
    error:
      'topology.yaml:2:27: sources.gen.inputs: source kind "generator" takes no inputs; remove "inputs"',
  },
  {
    name: 'output going nowhere',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      '  spare: { kind: generator }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
    ),
    error:
      'topology.yaml:3:3: sources.spare: the output of "spare" goes nowhere; expected "spare" among the inputs of a stage or sink',
  },
];

describe('malformed topologies: ids, inputs and the graph', () => {
  it.each(cases)('$name', ({ text, error }) => {
    expect(errorsOf(text)).toBe(error);
  });
});
