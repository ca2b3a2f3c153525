import { pino } from 'pino';
import { loadCases } from '../authoring/cases-load.js';
import { formatCaseResult, formatSummary, runCases } from '../authoring/run-cases.js';
import { createLogger } from '../runtime/logger.js';
import { formatTopologyErrors } from '../topology/errors.js';
import { loadTopology } from '../topology/load.js';
import { ExitCode } from './exit-codes.js';

/** Where `millrace test` writes: stdout for results, stderr for errors. */
export interface TestCommandIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIO: TestCommandIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * `millrace test <topology.yaml> <cases.yaml>`: runs the config unit tests of a cases file
 * against the topology's real stages. Prints `✓`/`✗` per test (with a diff for failures) and
 * `N passed, N failed`. Exit code 0 when all pass, 1 when any fails, 2 for an invalid topology or
 * cases file (every error, with file:line:column). Runtime logs are silent unless `MILLRACE_LOG`
 * is set.
 *
 * @example
 * await testCommand('topology.yaml', 'examples/demo.cases.yaml'); // 0
 */
export async function testCommand(topologyFile: string | undefined, casesFile: string | undefined, io: TestCommandIO = processIO): Promise<number> {
  if (topologyFile === undefined || casesFile === undefined) {
    io.err('usage: millrace test <topology.yaml> <cases.yaml>\n');
    return ExitCode.invalid;
  }
  const loaded = await loadTopology(topologyFile);
  if (!loaded.ok) {
    io.err(`${formatTopologyErrors(loaded.errors)}\n`);
    return ExitCode.invalid;
  }
  const cases = await loadCases(casesFile, loaded.topology);
  if (!cases.ok) {
    io.err(`${formatTopologyErrors(cases.errors)}\n`);
    return ExitCode.invalid;
  }
  const log = process.env.MILLRACE_LOG === undefined ? pino({ level: 'silent' }) : createLogger();
  const results = await runCases(loaded.topology, cases.cases, { log }, (result) => io.out(`${formatCaseResult(result, casesFile)}\n`));
  io.out(`\n${formatSummary(results)}\n`);
  return results.every((r) => r.passed) ? ExitCode.ok : ExitCode.runtimeFailure;
}
