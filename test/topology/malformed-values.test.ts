import { describe, expect, it } from 'vitest';
import { errorsOf, yaml, type MalformedCase } from './helpers.js';

/** A valid rest of the file, for cases about the top level. */
const valid = [
  'sources:',
  '  gen: { kind: generator }',
  'sinks:',
  '  out: { kind: file, inputs: [gen], path: x }',
];

/** Each case breaks one thing in the YAML, a kind, a key, a value or the environment. */
const cases: MalformedCase[] = [
  {
    name: 'YAML syntax error',
    text: yaml(
      'sources:',
      '  gen: { kind: generator, count: 10',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
    ),
    error:
      'topology.yaml:3:1: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }',
  },
  {
    name: 'unknown kind, with did-you-mean',
    text: yaml(
      'sources:',
      '  gen: { kind: generatr }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
    ),
    error:
      'topology.yaml:2:16: sources.gen.kind: unknown source kind "generatr"; expected one of generator; did you mean "generator"?',
  },
  {
    name: 'kind of another role',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'sinks:',
      '  out: { kind: map, inputs: [gen], module: m.mjs }',
    ),
    error:
      'topology.yaml:4:16: sinks.out.kind: unknown sink kind "map"; expected one of file, deadletter; "map" is a stage kind',
  },
  {
    name: 'missing kind',
    text: yaml(
      'sources:',
      '  gen: { count: 3 }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
    ),
    error: 'topology.yaml:2:3: sources.gen: missing required key "kind"; expected one of generator',
  },
  {
    name: 'unknown key, with did-you-mean',
    text: yaml(
      'sources:',
      '  gen: { kind: generator, cout: 10 }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
    ),
    error:
      'topology.yaml:2:27: sources.gen.cout: unknown key "cout"; expected one of kind, replicas, supervision, count, rate, batchSize, stream; did you mean "count"?',
  },
  {
    name: 'unknown key in a nested setting',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'sinks:',
      '  out:',
      '    kind: file',
      '    inputs: [gen]',
      '    path: x',
      '    channel: { maxRecord: 10 }',
    ),
    error:
      'topology.yaml:8:16: sinks.out.channel.maxRecord: unknown key "maxRecord"; expected one of maxRecords, maxBytes, overflow; did you mean "maxRecords"?',
  },
  {
    name: 'unknown top-level key',
    text: yaml(
      'dataDri: state',
      'sources:',
      '  gen: { kind: generator }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
    ),
    error:
      'topology.yaml:1:1: dataDri: unknown key "dataDri"; expected one of version, name, dataDir, plugins, transport, drain, coordination, sources, stages, sinks; did you mean "dataDir"?',
  },
  {
    name: 'wrong type',
    text: yaml(
      'sources:',
      '  gen: { kind: generator, count: ten }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
    ),
    error:
      'topology.yaml:2:34: sources.gen.count: wrong type; expected a number, found string "ten"',
  },
  {
    name: 'not an integer',
    text: yaml(
      'sources:',
      '  gen: { kind: generator, batchSize: 2.5 }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
    ),
    error:
      'topology.yaml:2:38: sources.gen.batchSize: wrong type; expected an integer, found number 2.5',
  },
  {
    name: 'negative replicas',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'stages:',
      '  upper: { kind: map, inputs: [gen], replicas: -2, module: m.mjs }',
      'sinks:',
      '  out: { kind: file, inputs: [upper], path: x }',
    ),
    error:
      'topology.yaml:4:48: stages.upper.replicas: too small; expected a number greater than 0, found -2',
  },
  {
    name: 'invalid enum value, with did-you-mean',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'sinks:',
      '  out:',
      '    kind: file',
      '    inputs: [gen]',
      '    path: x',
      '    channel: { overflow: drophead }',
    ),
    error:
      'topology.yaml:8:26: sinks.out.channel.overflow: invalid value; expected one of backpressure, dropHead, dropNew, fail, found "drophead"; did you mean "dropHead"?',
  },
  {
    name: 'empty string',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: "" }',
    ),
    error: 'topology.yaml:4:43: sinks.out.path: too small; expected a non-empty string, found ""',
  },
  {
    name: 'unset environment variable',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'sinks:',
      '  out:',
      '    kind: file',
      '    inputs: [gen]',
      '    path: ${OUT_DIR}/records.jsonl',
    ),
    error:
      'topology.yaml:7:11: sinks.out.path: environment variable OUT_DIR is not set; set it, or give a default: ${OUT_DIR:-value}',
  },
  {
    name: 'malformed variable reference',
    text: yaml(
      'sources:',
      '  gen: { kind: generator }',
      'sinks:',
      '  out:',
      '    kind: file',
      '    inputs: [gen]',
      '    path: out/${OUT DIR}',
    ),
    error:
      'topology.yaml:7:15: sinks.out.path: malformed variable reference "${OUT DIR}"; expected ${NAME} or ${NAME:-default} with NAME made of letters, digits and _; write $${ for a literal ${',
  },
  {
    name: 'unsupported version',
    text: yaml(
      'version: 2',
      'sources:',
      '  gen: { kind: generator }',
      'sinks:',
      '  out: { kind: file, inputs: [gen], path: x }',
    ),
    error: 'topology.yaml:1:10: version: invalid value; expected 1, found 2',
  },
  {
    name: 'no sinks',
    text: yaml('sources:', '  gen: { kind: generator }', 'sinks: {}'),
    error: 'topology.yaml:3:8: sinks: no sinks; expected at least one sink, by id',
  },
  {
    name: 'section of the wrong type',
    text: yaml('sources:', '  - gen', 'sinks:', '  out: { kind: file, inputs: [gen], path: x }'),
    error:
      'topology.yaml:2:3: sources: wrong type; expected a mapping of source ids to their settings, found a list of 1',
  },
  {
    name: 'empty file',
    text: '',
    error:
      'topology.yaml:1:1: not a topology; expected a mapping with sources and sinks, found an empty document',
  },
  {
    name: 'unknown transport type, with did-you-mean',
    text: yaml('transport: { type: kafak }', ...valid),
    error:
      'topology.yaml:1:20: transport.type: invalid value; expected one of embedded, kafka, found "kafak"; did you mean "kafka"?',
  },
  {
    name: 'transport missing a required setting',
    text: yaml('transport:', '  type: kafka', ...valid),
    error: 'topology.yaml:1:1: transport: missing required key "brokers"; expected a list',
  },
  {
    name: 'unknown transport setting, with did-you-mean',
    text: yaml('transport: { type: kafka, brokers: [a:9092], clientID: x }', ...valid),
    error:
      'topology.yaml:1:46: transport.clientID: unknown key "clientID"; expected one of type, brokers, clientId, connectionTimeoutMs, requestTimeoutMs; did you mean "clientId"?',
  },
];

describe('malformed topologies: syntax, kinds, keys and values', () => {
  it.each(cases)('$name', ({ text, error }) => {
    expect(errorsOf(text)).toBe(error);
  });
});
