import { listNames, topologyError, type DocPath, type Explanation, type TopologyError } from '../topology/errors.js';
import { consumersOf, type Topology } from '../topology/model.js';
import type { SourceMap } from '../topology/source-map.js';
import { didYouMean } from '../topology/suggest.js';
import type { Matcher, TestCase } from './cases-schema.js';
import { parseFieldPath } from './field-path.js';
import { downstreamOf } from './sub-graph.js';

/** What the checks need: where the file is, its positions, and the topology it tests. */
export interface CheckContext {
  file: string;
  map: SourceMap;
  topology: Topology;
}

/** A test that passed the schema, with its index in the file. */
export interface IndexedCase {
  index: number;
  test: TestCase;
}

const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * What the schema cannot say about a cases file: targets name stages of the topology (with a
 * did-you-mean), `to` is downstream of `from`, payloads are given one way, regular expressions
 * and field paths parse, every test checks something, and names are unique.
 */
export function checkCases(cases: readonly IndexedCase[], ctx: CheckContext): TopologyError[] {
  const errors: TopologyError[] = [];
  const report = (path: DocPath, e: Explanation, onKey = false): void => {
    errors.push(topologyError(ctx.file, onKey ? ctx.map.keyOf(path) : ctx.map.locate(path), path, e));
  };
  const names = new Map<string, number>();
  for (const { index: i, test } of cases) {
    const at: DocPath = ['tests', i];
    const first = names.get(test.name);
    if (first !== undefined) {
      report([...at, 'name'], { message: `duplicate test name ${JSON.stringify(test.name)}`, hint: `tests[${first}] has it already` });
    } else names.set(test.name, i);
    checkTarget(test, at, ctx, report);
    test.input.forEach((record, j) => checkPayload(record, [...at, 'input', j], report));
    test.outputs?.forEach((record, j) => {
      checkPayload(record, [...at, 'outputs', j], report);
      if (record.consumer !== undefined) checkConsumer(record.consumer, test, [...at, 'outputs', j, 'consumer'], ctx, report);
    });
    for (const which of ['every', 'some', 'none'] as const) {
      const checks = test.conditions?.[which];
      for (const [field, matcher] of Object.entries(checks ?? {})) {
        const where = [...at, 'conditions', which, field];
        if (parseFieldPath(field) === undefined) {
          report(where, { message: `invalid field path ${JSON.stringify(field)}`, expected: 'names separated by dots, e.g. value.level or headers.host or value.tags[0]' }, true);
        }
        checkMatcher(matcher, where, report);
      }
    }
    test.deadLetters?.forEach((expected, j) => {
      const where = [...at, 'deadLetters', j];
      const fields = Object.entries(expected).filter(([, m]) => m !== undefined) as [string, Matcher][];
      if (fields.length === 0) report(where, { message: 'empty dead-letter expectation', expected: 'reason, actor, value and/or key' });
      for (const [field, matcher] of fields) checkMatcher(matcher, [...where, field], report);
    });
    if (test.outputs === undefined && test.conditions === undefined && test.deadLetters === undefined) {
      report(at, { message: 'the test checks nothing', expected: 'outputs, conditions or deadLetters' });
    }
  }
  return errors;
}

type Report = (path: DocPath, e: Explanation, onKey?: boolean) => void;

function checkTarget(test: TestCase, at: DocPath, ctx: CheckContext, report: Report): void {
  if (test.actor !== undefined) {
    for (const key of ['from', 'to'] as const) {
      if (test[key] !== undefined) report([...at, key], { message: `"${key}" with "actor"`, expected: 'either actor, or from and to' }, true);
    }
    checkStage(test.actor, [...at, 'actor'], ctx, report);
    return;
  }
  if (test.from === undefined && test.to === undefined) {
    report(at, { message: 'no target', expected: 'actor: <stage id>, or from: <stage id> and to: <stage id>' });
    return;
  }
  if (test.from === undefined || test.to === undefined) {
    const missing = test.from === undefined ? 'from' : 'to';
    report(at, { message: `missing required key "${missing}"`, expected: 'from and to together' });
    return;
  }
  const fromOk = checkStage(test.from, [...at, 'from'], ctx, report);
  const toOk = checkStage(test.to, [...at, 'to'], ctx, report);
  if (fromOk && toOk && test.from !== test.to && !downstreamOf(ctx.topology, test.from).has(test.to)) {
    report([...at, 'to'], {
      message: `"${test.to}" is not downstream of "${test.from}"`,
      expected: `a stage that reads "${test.from}"'s output, directly or through others`,
    });
  }
}

function checkStage(id: string, path: DocPath, ctx: CheckContext, report: Report): boolean {
  const stages = ctx.topology.nodes.filter((n) => n.role === 'stage').map((n) => n.id);
  if (stages.includes(id)) return true;
  const expected = stages.length > 0 ? `the id of a stage (${listNames(stages)})` : 'the id of a stage (the topology has none)';
  const other = ctx.topology.nodes.find((n) => n.id === id);
  if (other !== undefined) {
    report(path, { message: `"${id}" is a ${other.role}; only stages can be tested`, expected });
    return false;
  }
  const hint = didYouMean(id, stages);
  report(path, { message: `unknown actor ${JSON.stringify(id)}`, expected, ...(hint ? { hint } : {}) });
  return false;
}

function checkConsumer(consumer: string, test: TestCase, path: DocPath, ctx: CheckContext, report: Report): void {
  const to = test.actor ?? test.to;
  if (to === undefined || !ctx.topology.nodes.some((n) => n.id === to)) return;
  const consumers = consumersOf(ctx.topology, to).map((n) => n.id);
  if (consumers.includes(consumer)) return;
  const hint = didYouMean(consumer, consumers);
  report(path, {
    message: `"${consumer}" does not read "${to}"`,
    expected: `one of ${listNames(consumers)}`,
    ...(hint ? { hint } : {}),
  });
}

function checkPayload(record: { value?: unknown; base64?: string | undefined }, path: DocPath, report: Report): void {
  if (record.value === undefined && record.base64 === undefined) {
    report(path, { message: 'no payload', expected: 'value (text or a mapping) or base64 (bytes)' });
  } else if (record.value !== undefined && record.base64 !== undefined) {
    report([...path, 'base64'], { message: 'both value and base64', expected: 'one payload: value or base64' }, true);
  } else if (record.base64 !== undefined && !base64.test(record.base64)) {
    report([...path, 'base64'], { message: 'invalid base64', expected: 'standard base64 (A-Z a-z 0-9 + /, padded with =)' });
  }
}

function checkMatcher(matcher: Matcher, path: DocPath, report: Report): void {
  if (matcher.equals === undefined && matcher.matches === undefined && matcher.exists === undefined) {
    report(path, { message: 'empty check', expected: 'equals, matches and/or exists' });
  }
  if (matcher.matches !== undefined) {
    try {
      new RegExp(matcher.matches);
    } catch (error) {
      report([...path, 'matches'], {
        message: 'invalid regular expression',
        expected: 'a JavaScript regular expression',
        found: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
