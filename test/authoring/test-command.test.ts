import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testCommand } from '../../src/cli/test-command.js';
import { capture, demoTopologyFile, tempFile, yaml } from './helpers.js';

const defaultTopologyFile = fileURLToPath(new URL('../../topology.yaml', import.meta.url));

async function run(topologyFile: string, casesText: string): Promise<{ code: number; out: string; err: string; file: string }> {
  const file = await tempFile('cases.yaml', casesText);
  const io = capture();
  const code = await testCommand(topologyFile, file, io);
  return { code, out: io.stdout(), err: io.stderr(), file };
}

describe('millrace test', () => {
  it.each([
    ['the generator demo', demoTopologyFile, 'examples/demo.cases.yaml'],
    ['the default log pipeline', defaultTopologyFile, 'examples/logs.cases.yaml'],
  ])('passes the example cases of %s: exit 0, one ✓ line per test, and the totals', async (_name, topologyFile, cases) => {
    const io = capture();
    const code = await testCommand(topologyFile, fileURLToPath(new URL(`../../${cases}`, import.meta.url)), io);
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    const lines = io.stdout().trim().split('\n');
    expect(lines.filter((l) => l.startsWith('✓ '))).toHaveLength(5);
    expect(lines.at(-1)).toBe('5 passed, 0 failed');
  });

  it('fails a test whose outputs differ: exit 1, with a diff naming the differing field and its location', async () => {
    const { code, out, file } = await run(
      demoTopologyFile,
      yaml(
        'tests:',
        '  - name: keeps warnings',
        '    actor: warnings',
        '    input: [{ value: { seq: 10, level: warn } }]',
        '    outputs: [{ value: { seq: 10, level: warn } }]',
        '  - name: enrich levels',
        '    actor: enrich',
        '    input: [{ value: seq=1 }, { value: seq=10 }]',
        '    outputs:',
        '      - value: { seq: 1, key: null, level: warn, size: 5 }',
        '      - value: { seq: 10, key: null, level: warn, size: 6 }',
        '    conditions:',
        '      count: 3',
        '      every: { value.level: { equals: warn } }',
      ),
    );
    expect(code).toBe(1);
    expect(out).toContain('✓ keeps warnings\n');
    expect(out).toContain(
      [
        `✗ enrich levels (${file}:6:5)`,
        '    outputs differ (- expected, + actual):',
        '      - {"value":{"seq":1,"key":null,"level":"warn","size":5}}',
        '      + {"value":{"seq":1,"key":null,"level":"info","size":5}}',
        '          value.level: expected "warn", got "info"',
        '        {"value":{"seq":10,"key":null,"level":"warn","size":6}}',
        '    conditions.count: expected 3 record(s), got 2',
        '    conditions.every: output 0 {"value":{"seq":1,"key":null,"level":"info","size":5}}: value.level: expected equals "warn", found "info"',
      ].join('\n'),
    );
    expect(out.trim().split('\n').at(-1)).toBe('1 passed, 1 failed');
  });

  it('checks expected dead letters, and fails on dead letters nobody expected', async () => {
    const { code, out } = await run(
      demoTopologyFile,
      yaml(
        'tests:',
        '  - name: expected',
        '    actor: enrich',
        '    input: [{ value: oops, key: k1 }]',
        '    outputs: []',
        '    deadLetters: [{ reason: { matches: "^map .*threw: not a generator record" }, key: { equals: k1 }, value: { equals: oops } }]',
        '  - name: unexpected',
        '    actor: enrich',
        '    input: [{ value: oops }]',
        '    outputs: []',
        '  - name: missing',
        '    actor: enrich',
        '    input: [{ value: seq=1 }]',
        '    conditions: { count: 1 }',
        '    deadLetters: [{ reason: { matches: threw } }]',
      ),
    );
    expect(code).toBe(1);
    expect(out).toContain('✓ expected\n');
    expect(out).toContain(
      [
        '    unexpected dead letters (add deadLetters to expect them):',
        '      + {"reason":"map modules/enrich.mjs threw: not a generator record: oops","actor":"enrich","value":"oops"}',
      ].join('\n'),
    );
    expect(out).toContain(['    dead letters differ (expected 1, got 0) (- expected, + actual):', '      - {reason matches /threw/}'].join('\n'));
    expect(out.trim().split('\n').at(-1)).toBe('1 passed, 2 failed');
  });

  it('rejects an invalid cases file with exit 2 and every error at file:line:column, running nothing', async () => {
    const { code, out, err, file } = await run(
      demoTopologyFile,
      yaml('tests:', '  - name: t', '    actor: enrch', '    input: []', '    outputs: []', '    unorderd: true'),
    );
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(
      [
        `${file}:3:12: tests[0].actor: unknown actor "enrch"; expected the id of a stage (enrich, warnings); did you mean "enrich"?`,
        `${file}:6:5: tests[0].unorderd: unknown key "unorderd"; expected one of name, actor, from, to, input, outputs, unordered, conditions, deadLetters, timeoutMs; did you mean "unordered"?`,
        '',
      ].join('\n'),
    );
  });

  it('rejects a missing cases file and an invalid topology with exit 2', async () => {
    const io = capture();
    expect(await testCommand(demoTopologyFile, '/nonexistent/cases.yaml', io)).toBe(2);
    expect(io.stderr()).toMatch(/^\/nonexistent\/cases\.yaml:1:1: cannot read the cases file/);
    const topology = await tempFile('bad.yaml', yaml('sources:', '  gen: { kind: generatr }', 'sinks:', '  out: { kind: stdout, inputs: [gen] }'));
    const bad = await run(topology, yaml('tests: []'));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`${topology}:2:16: sources.gen.kind: unknown source kind "generatr"`);
  });
});

describe('millrace test on partitioning and broken stages', () => {
  const spread = yaml(
    'sources:',
    '  gen: { kind: generator, count: 1 }',
    'stages:',
    '  spread: { kind: distribute, inputs: [gen], by: roundRobin }',
    '  broken: { kind: map, inputs: [gen], module: throws.mjs }',
    'sinks:',
    '  left: { kind: blackhole, inputs: [spread] }',
    '  right: { kind: blackhole, inputs: [spread, broken] }',
  );
  /** The topology beside a module that throws at import (it exists, so the topology loads). */
  async function spreadTopology(): Promise<string> {
    const topology = await tempFile('spread.yaml', spread);
    await writeFile(join(dirname(topology), 'throws.mjs'), "throw new Error('enrich needs a config');\n");
    return topology;
  }

  it('checks which consumer each record of a partitioning stage reaches', async () => {
    const topology = await spreadTopology();
    const { code, out } = await run(
      topology,
      yaml(
        'tests:',
        '  - name: round robin over the configured consumers',
        '    actor: spread',
        '    input: [{ value: a }, { value: b }, { value: c }]',
        '    unordered: true',
        '    outputs: [{ value: a, consumer: left }, { value: b, consumer: right }, { value: c, consumer: left }]',
        '  - name: wrong consumer',
        '    actor: spread',
        '    input: [{ value: a }]',
        '    outputs: [{ value: a, consumer: right }]',
      ),
    );
    expect(code).toBe(1);
    expect(out).toContain('✓ round robin over the configured consumers\n');
    expect(out).toContain(['      - {"value":"a","consumer":"right"}', '      + {"value":"a"}', '          consumer: expected "right", got "left"'].join('\n'));
  });

  it('reports a stage that cannot start as a failed test instead of hanging', async () => {
    const topology = await spreadTopology();
    const { code, out } = await run(topology, yaml('tests:', '  - name: broken', '    actor: broken', '    input: [{ value: a }]', '    outputs: [{ value: a }]'));
    expect(code).toBe(1);
    expect(out).toMatch(/✗ broken \(.*:2:5\)\n {4}the run failed: broken cannot start: cannot load map module .*throws\.mjs: enrich needs a config/);
  });
});
