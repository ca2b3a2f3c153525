import { beforeAll, describe, expect, it } from 'vitest';
import { parseCases } from '../../src/authoring/cases-load.js';
import type { Topology } from '../../src/topology/model.js';
import { caseErrors, demoTopology, yaml } from './helpers.js';

let topology: Topology;
beforeAll(async () => {
  topology = await demoTopology();
});

describe('a valid cases file', () => {
  it('resolves actor targets to one-stage sub-graphs and from/to targets as written, with positions', () => {
    const result = parseCases(
      yaml(
        'tests:',
        '  - name: one',
        '    actor: enrich',
        '    input: [{ value: seq=1 }]',
        '    outputs: []',
        '  - name: two',
        '    from: enrich',
        '    to: warnings',
        '    input: [{ value: seq=1 }]',
        '    conditions: { count: 0 }',
      ),
      'cases.yaml',
      topology,
      {},
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.cases.map((c) => [c.target, c.at])).toEqual([
      [{ from: 'enrich', to: 'enrich' }, { line: 2, column: 5 }],
      [{ from: 'enrich', to: 'warnings' }, { line: 6, column: 5 }],
    ]);
    expect(result.cases[0]?.test).toMatchObject({ unordered: false, timeoutMs: 10_000 });
  });
});

describe('an invalid cases file is rejected with file:line:column', () => {
  const cases: [string, string[], string][] = [
    [
      'an unknown actor, with did-you-mean',
      ['tests:', '  - name: t', '    actor: enrch', '    input: []', '    outputs: []'],
      'cases.yaml:3:12: tests[0].actor: unknown actor "enrch"; expected the id of a stage (enrich, warnings); did you mean "enrich"?',
    ],
    [
      'a source as target',
      ['tests:', '  - name: t', '    actor: events', '    input: []', '    outputs: []'],
      'cases.yaml:3:12: tests[0].actor: "events" is a source; only stages can be tested; expected the id of a stage (enrich, warnings)',
    ],
    [
      'an unknown key, with did-you-mean',
      ['tests:', '  - name: t', '    actor: enrich', '    input: []', '    output: []'],
      'cases.yaml:5:5: tests[0].output: unknown key "output"; expected one of name, actor, from, to, input, outputs, unordered, conditions, deadLetters, timeoutMs; did you mean "outputs"?',
    ],
    [
      'a sub-graph whose end is not downstream of its start',
      ['tests:', '  - name: t', '    from: warnings', '    to: enrich', '    input: []', '    outputs: []'],
      'cases.yaml:4:9: tests[0].to: "enrich" is not downstream of "warnings"; expected a stage that reads "warnings"\'s output, directly or through others',
    ],
    [
      'a test without target',
      ['tests:', '  - name: t', '    input: []', '    outputs: []'],
      'cases.yaml:2:5: tests[0]: no target; expected actor: <stage id>, or from: <stage id> and to: <stage id>',
    ],
    [
      'a test that checks nothing',
      ['tests:', '  - name: t', '    actor: enrich', '    input: [{ value: x }]'],
      'cases.yaml:2:5: tests[0]: the test checks nothing; expected outputs, conditions or deadLetters',
    ],
    [
      'an input without payload',
      ['tests:', '  - name: t', '    actor: enrich', '    input: [{ key: k }]', '    outputs: []'],
      'cases.yaml:4:13: tests[0].input[0]: no payload; expected value (text or a mapping) or base64 (bytes)',
    ],
    [
      'an invalid regular expression',
      ['tests:', '  - name: t', '    actor: enrich', '    input: []', '    deadLetters: [{ reason: { matches: "(" } }]'],
      'cases.yaml:5:40: tests[0].deadLetters[0].reason.matches: invalid regular expression; expected a JavaScript regular expression, found Invalid regular expression: /(/: Unterminated group',
    ],
    [
      'an invalid field path',
      ['tests:', '  - name: t', '    actor: enrich', '    input: []', '    conditions:', '      every: { "value..x": { exists: true } }'],
      'cases.yaml:6:16: tests[0].conditions.every["value..x"]: invalid field path "value..x"; expected names separated by dots, e.g. value.level or headers.host or value.tags[0]',
    ],
    [
      'a wrong type',
      ['tests:', '  - name: t', '    actor: enrich', '    input: nothing', '    outputs: []'],
      'cases.yaml:4:12: tests[0].input: wrong type; expected a list, found string "nothing"',
    ],
    [
      'a consumer that does not read the target',
      ['tests:', '  - name: t', '    actor: enrich', '    input: []', '    outputs: [{ value: x, consumer: wrn }]'],
      'cases.yaml:5:37: tests[0].outputs[0].consumer: "wrn" does not read "enrich"; expected one of warnings, all',
    ],
    [
      'a YAML syntax error',
      ['tests:', '  - name: t', '    actor: [enrich', '    input: []'],
      'cases.yaml:4:5: YAML syntax error',
    ],
  ];
  it.each(cases)('%s', (_name, lines, error) => {
    expect(caseErrors(yaml(...lines), topology)).toContain(error);
  });

  it('reports every error at once, in file order', () => {
    const errors = caseErrors(
      yaml('tests:', '  - name: a', '    actor: enrch', '    input: []', '    outputs: []', '  - name: a', '    actor: warnings', '    input: []', '    outputs: []'),
      topology,
    ).split('\n');
    expect(errors).toEqual([
      expect.stringMatching(/^cases\.yaml:3:12: .*unknown actor "enrch"/),
      'cases.yaml:6:11: tests[1].name: duplicate test name "a"; tests[0] has it already',
    ]);
  });
});
