import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTopologyErrors } from '../../src/topology/errors.js';
import { interpolate } from '../../src/topology/interpolate.js';
import { parseTopology } from '../../src/topology/load.js';
import type { NodeSpec } from '../../src/topology/model.js';
import { testRegistry } from './registry.js';

describe('interpolate', () => {
  it('substitutes ${VAR}, and ${VAR:-default} when VAR is unset or empty', () => {
    const env = { HOST: 'kafka', PORT: '9092', EMPTY: '' };
    expect(interpolate('${HOST}:${PORT}', env).value).toBe('kafka:9092');
    expect(interpolate('${MISSING:-localhost}', env).value).toBe('localhost');
    expect(interpolate('${EMPTY:-fallback}', env).value).toBe('fallback');
    expect(interpolate('[${EMPTY}]', env).value).toBe('[]');
    expect(interpolate('${MISSING:-}', env).value).toBe('');
    expect(interpolate('${MISSING:-a b:c}', env).value).toBe('a b:c');
  });

  it('turns $${ into a literal ${ and leaves other dollars alone', () => {
    expect(interpolate('cost: $${PRICE} and $5 and $x', {})).toEqual({
      value: 'cost: ${PRICE} and $5 and $x',
      substituted: false,
      errors: [],
    });
  });

  it('reports unset variables and malformed references with their index', () => {
    expect(interpolate('a ${NOPE} b', {}).errors).toEqual([
      {
        index: 2,
        reference: '${NOPE}',
        message: 'environment variable NOPE is not set',
        hint: 'set it, or give a default: ${NOPE:-value}',
      },
    ]);
    expect(interpolate('x${1BAD}', {}).errors.map((e) => [e.index, e.message])).toEqual([
      [1, 'malformed variable reference "${1BAD}"'],
    ]);
    expect(interpolate('x${OPEN', {}).errors.map((e) => [e.index, e.message])).toEqual([
      [1, 'unterminated variable reference'],
    ]);
  });

  it('leaves text without ${ unchanged (property)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!text.includes('${'));
        expect(interpolate(text, {})).toEqual({ value: text, substituted: false, errors: [] });
      }),
    );
  });

  it('substitutes any value verbatim (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (prefix, value) => {
        fc.pre(!prefix.includes('$'));
        expect(interpolate(`${prefix}\${V}`, { V: value }).value).toBe(prefix + value);
      }),
    );
  });
});

/** A topology whose values come from the environment. */
const text = [
  'version: ${VERSION:-1}',
  'name: ${NAME:-demo}',
  'sources:',
  '  gen:',
  '    kind: generator',
  '    count: ${COUNT:-1000}',
  '    rate: ${RATE:-0.5}',
  '    batchSize: "${BATCH}"',
  '    stream: ${STREAM}',
  'stages:',
  '  upper:',
  '    kind: map',
  '    inputs: [gen]',
  '    replicas: ${REPLICAS:-2}',
  '    module: ./${MODULE:-upper}.mjs',
  'sinks:',
  '  out:',
  '    kind: file',
  '    inputs: [upper]',
  '    path: $${not-a-var}/out.jsonl',
  '    append: ${APPEND:-false}',
  '',
].join('\n');

function load(env: Record<string, string>): NodeSpec[] {
  const result = parseTopology(text, 'topology.yaml', env, testRegistry);
  if (!result.ok) throw new Error(formatTopologyErrors(result.errors));
  return result.topology.nodes;
}

describe('environment variables in a topology', () => {
  it('applies defaults, and reads numbers and booleans where the schema wants them', () => {
    const [gen, upper, out] = load({ BATCH: '50', STREAM: '123' });
    expect(gen?.config).toMatchObject({ count: 1000, rate: 0.5, batchSize: 50, stream: '123' });
    expect(upper?.replicas).toBe(2);
    expect(upper?.config).toEqual({ module: './upper.mjs', concurrency: 4 });
    expect(out?.config).toEqual({ path: '${not-a-var}/out.jsonl', append: false });
  });

  it('uses the values that are set', () => {
    const [gen, upper, out] = load({
      COUNT: '7',
      BATCH: '5',
      STREAM: 's',
      REPLICAS: '3',
      MODULE: 'lower',
      APPEND: 'true',
    });
    expect(gen?.config).toMatchObject({ count: 7, batchSize: 5, stream: 's' });
    expect(upper?.replicas).toBe(3);
    expect(upper?.config.module).toBe('./lower.mjs');
    expect(out?.config.append).toBe(true);
  });

  it('takes the name and version from the environment too', () => {
    const result = parseTopology(
      text,
      'topology.yaml',
      { BATCH: '1', STREAM: 's', NAME: 'prod', VERSION: '1' },
      testRegistry,
    );
    expect(result.ok && result.topology.name).toBe('prod');
  });

  it('rejects a substituted value the schema cannot read, saying where it came from', () => {
    const result = parseTopology(
      text,
      'topology.yaml',
      { BATCH: 'lots', STREAM: 's', COUNT: '-1' },
      testRegistry,
    );
    expect(result.ok ? '' : formatTopologyErrors(result.errors)).toBe(
      [
        'topology.yaml:6:12: sources.gen.count: too small; expected a number of at least 0, found -1; the value comes from ${COUNT:-1000}',
        'topology.yaml:8:16: sources.gen.batchSize: wrong type; expected a number, found string "lots"; the value comes from "${BATCH}"',
      ].join('\n'),
    );
  });

  it('does not convert literal strings: only substituted values', () => {
    const literal =
      'sources:\n  gen: { kind: generator, count: "5" }\nsinks:\n  out: { kind: file, inputs: [gen], path: x }\n';
    const result = parseTopology(literal, 'topology.yaml', {}, testRegistry);
    expect(result.ok ? '' : formatTopologyErrors(result.errors)).toBe(
      'topology.yaml:2:34: sources.gen.count: wrong type; expected a number, found string "5"',
    );
  });

  it('points at the reference inside a multi-line block scalar', () => {
    const block =
      'sources:\n  gen: { kind: generator }\nsinks:\n  out:\n    kind: file\n    inputs: [gen]\n    path: >-\n      out/\n      ${DIR}/x\n';
    const result = parseTopology(block, 'topology.yaml', {}, testRegistry);
    expect(result.ok ? '' : formatTopologyErrors(result.errors)).toBe(
      'topology.yaml:9:7: sinks.out.path: environment variable DIR is not set; set it, or give a default: ${DIR:-value}',
    );
  });

  it('reports every unset variable, each where it is written', () => {
    const result = parseTopology(text, 'topology.yaml', {}, testRegistry);
    expect(result.ok ? '' : formatTopologyErrors(result.errors)).toBe(
      [
        'topology.yaml:8:17: sources.gen.batchSize: environment variable BATCH is not set; set it, or give a default: ${BATCH:-value}',
        'topology.yaml:9:13: sources.gen.stream: environment variable STREAM is not set; set it, or give a default: ${STREAM:-value}',
      ].join('\n'),
    );
  });
});
