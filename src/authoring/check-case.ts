import type { Conditions, ExpectedDeadLetter, ExpectedRecord, Matcher, TestCase } from './cases-schema.js';
import { align, renderSteps, type DiffStyle } from './diff.js';
import { fieldFailures, matcherFailure, showMatcher } from './matchers.js';
import { recordDifferences, show, showRecord } from './record-view.js';
import type { CaseRun, DeadLetterView, OutputRecord } from './run-case.js';

/** Why an output differs from an expected record (empty when it matches), routing included. */
function outputDifferences(expected: ExpectedRecord, actual: OutputRecord): string[] {
  const out = recordDifferences(expected, actual.record);
  if (expected.consumer !== undefined && !actual.consumers.includes(expected.consumer)) {
    out.push(`consumer: expected ${show(expected.consumer)}, got ${actual.consumers.length === 0 ? 'none' : actual.consumers.map((c) => show(c)).join(', ')}`);
  }
  return out;
}

/** How outputs print: with the consumer each reached when the target routes records apart. */
function outputStyle(routed: boolean): DiffStyle<ExpectedRecord, OutputRecord> {
  const showActual = (a: OutputRecord): string =>
    showRecord(routed && a.consumers.length === 1 ? { ...a.record, consumer: a.consumers[0] } : a.record);
  return { showExpected: (e) => showRecord(e), showActual, explain: outputDifferences };
}

function checkOutputs(test: TestCase, outputs: readonly OutputRecord[]): string[] {
  const expected = test.outputs;
  if (expected === undefined) return [];
  const equal = (e: ExpectedRecord, a: OutputRecord): boolean => outputDifferences(e, a).length === 0;
  const style = outputStyle(new Set(outputs.map((o) => o.consumers.join(','))).size > 1);
  if (test.unordered) {
    const unused = [...outputs];
    const missing = expected.filter((e) => {
      const k = unused.findIndex((a) => equal(e, a));
      if (k < 0) return true;
      unused.splice(k, 1);
      return false;
    });
    if (missing.length === 0 && unused.length === 0) return [];
    return [
      `outputs differ, in any order (- expected, not produced; + produced, not expected):`,
      ...missing.map((e) => `  - ${showRecord(e)}`),
      ...unused.map((a) => `  + ${style.showActual(a)}`),
    ];
  }
  const steps = align(expected, outputs, equal);
  if (steps.every((s) => s.op === 'same')) return [];
  const counts = expected.length === outputs.length ? '' : ` (expected ${expected.length}, got ${outputs.length})`;
  return [`outputs differ${counts} (- expected, + actual):`, ...renderSteps(steps, style, '  ')];
}

function checkConditions(conditions: Conditions | undefined, outputs: readonly OutputRecord[]): string[] {
  if (conditions === undefined) return [];
  const out: string[] = [];
  if (conditions.count !== undefined && conditions.count !== outputs.length) {
    out.push(`conditions.count: expected ${conditions.count} record(s), got ${outputs.length}`);
  }
  const records = outputs.map((o) => o.record);
  if (conditions.every !== undefined) {
    const checks = conditions.every;
    records.forEach((record, i) => {
      for (const why of fieldFailures(checks, record)) out.push(`conditions.every: output ${i} ${showRecord(record)}: ${why}`);
    });
  }
  if (conditions.some !== undefined && !records.some((r) => fieldFailures(conditions.some ?? {}, r).length === 0)) {
    out.push(`conditions.some: no output passes ${showChecks(conditions.some)} (${records.length} output(s))`);
  }
  if (conditions.none !== undefined) {
    const checks = conditions.none;
    records.forEach((record, i) => {
      if (fieldFailures(checks, record).length === 0) out.push(`conditions.none: output ${i} passes ${showChecks(checks)}: ${showRecord(record)}`);
    });
  }
  return out;
}

function showChecks(checks: Record<string, Matcher>): string {
  return Object.entries(checks)
    .map(([path, m]) => `${path} ${showMatcher(m)}`)
    .join(', ');
}

function deadLetterFailures(expected: ExpectedDeadLetter, actual: DeadLetterView): string[] {
  const out: string[] = [];
  for (const field of ['reason', 'actor', 'value', 'key'] as const) {
    const matcher = expected[field];
    if (matcher === undefined) continue;
    const why = matcherFailure(matcher, actual[field]);
    if (why !== undefined) out.push(`${field}: ${why}`);
  }
  return out;
}

const deadLetterStyle: DiffStyle<ExpectedDeadLetter, DeadLetterView> = {
  showExpected: (e) =>
    `{${(['reason', 'actor', 'value', 'key'] as const)
      .flatMap((f) => (e[f] === undefined ? [] : [`${f} ${showMatcher(e[f])}`]))
      .join(', ')}}`,
  showActual: (a) => JSON.stringify({ reason: a.reason, actor: a.actor, value: a.value, ...(a.key === null ? {} : { key: a.key }) }),
  explain: deadLetterFailures,
};

function checkDeadLetters(expected: readonly ExpectedDeadLetter[] | undefined, actual: readonly DeadLetterView[]): string[] {
  const wanted = expected ?? [];
  const steps = align(wanted, actual, (e, a) => deadLetterFailures(e, a).length === 0);
  if (steps.every((s) => s.op === 'same')) return [];
  const title =
    expected === undefined
      ? `unexpected dead letters (add deadLetters to expect them):`
      : `dead letters differ${wanted.length === actual.length ? '' : ` (expected ${wanted.length}, got ${actual.length})`} (- expected, + actual):`;
  return [title, ...renderSteps(steps, deadLetterStyle, '  ')];
}

/**
 * Everything a run got wrong against its test, as readable lines (a diff of outputs, failed
 * conditions, a diff of dead letters, a failed run); empty when the test passes. Dead letters are
 * always checked: a test that expects none fails on any.
 *
 * @example
 * checkCase(test, await runCase(topology, loaded)); // [] when it passes
 */
export function checkCase(test: TestCase, run: CaseRun): string[] {
  return [
    ...(run.failure === undefined ? [] : [run.failure]),
    ...checkOutputs(test, run.outputs),
    ...checkConditions(test.conditions, run.outputs),
    ...checkDeadLetters(test.deadLetters, run.deadLetters),
  ];
}
