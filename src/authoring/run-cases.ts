import type { Topology } from '../topology/model.js';
import type { Position } from '../topology/source-map.js';
import { checkCase } from './check-case.js';
import type { LoadedCase } from './cases-load.js';
import { runCase, type RunCaseOptions } from './run-case.js';

/** The outcome of one config unit test. */
export interface CaseResult {
  name: string;
  at: Position;
  passed: boolean;
  /** What went wrong, as readable lines (diffs included); empty when it passed. */
  details: string[];
  durationMs: number;
}

/**
 * Runs the tests one after another, each in its own runtime, and reports each result as it
 * comes (`onResult`), so a long suite shows progress.
 *
 * @example
 * const results = await runCases(topology, loaded.cases, {}, (r) => console.log(formatCaseResult(r, file)));
 */
export async function runCases(
  topology: Topology,
  cases: readonly LoadedCase[],
  options: RunCaseOptions = {},
  onResult: (result: CaseResult) => void = () => undefined,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const loaded of cases) {
    const started = performance.now();
    const details = checkCase(loaded.test, await runCase(topology, loaded, options));
    const result: CaseResult = {
      name: loaded.test.name,
      at: loaded.at,
      passed: details.length === 0,
      details,
      durationMs: Math.round(performance.now() - started),
    };
    results.push(result);
    onResult(result);
  }
  return results;
}

/**
 * One test as printed: `✓ name`, or `✗ name (file:line:column)` followed by what went wrong,
 * indented.
 *
 * @example
 * formatCaseResult({ name: 'keeps warnings', passed: true, ... }, 'demo.cases.yaml'); // '✓ keeps warnings'
 */
export function formatCaseResult(result: CaseResult, file: string): string {
  if (result.passed) return `✓ ${result.name}`;
  const lines = [`✗ ${result.name} (${file}:${result.at.line}:${result.at.column})`];
  for (const detail of result.details) lines.push(`    ${detail}`);
  return lines.join('\n');
}

/** The closing line: `N passed, N failed`. */
export function formatSummary(results: readonly CaseResult[]): string {
  const passed = results.filter((r) => r.passed).length;
  return `${passed} passed, ${results.length - passed} failed`;
}
