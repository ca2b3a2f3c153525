import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { safeParseCoercing } from '../topology/coerce.js';
import { describeFound, sortErrors, topologyError, type TopologyError } from '../topology/errors.js';
import type { Env } from '../topology/interpolate.js';
import { issueErrors } from '../topology/issues.js';
import type { Topology } from '../topology/model.js';
import type { Position } from '../topology/source-map.js';
import { readSource } from '../topology/source.js';
import { checkCases, type IndexedCase } from './cases-check.js';
import { casesFileSchema, testCaseSchema, type TestCase } from './cases-schema.js';
import type { Target } from './sub-graph.js';

/** The top level, each test checked on its own so that one bad test hides no other's errors. */
const fileSchema = casesFileSchema.extend({ tests: z.array(z.unknown()).min(1) });

/** A test with unknown keys at its top level dropped instead of rejected. */
const lenientCase = testCaseSchema.strip();

/** A checked test, with its target resolved and where it is written. */
export interface LoadedCase {
  test: TestCase;
  target: Target;
  /** Position of the test's entry in the cases file. */
  at: Position;
}

/** What loading a cases file gives: its tests, or every error found, located. */
export type CasesResult = { ok: true; cases: LoadedCase[] } | { ok: false; errors: TopologyError[] };

/**
 * Reads and checks a cases file against the topology it tests. Never throws for a bad file:
 * every problem is returned at file:line:column, as the topology loader does.
 *
 * @example
 * const result = await loadCases('demo.cases.yaml', topology);
 * if (!result.ok) console.error(formatTopologyErrors(result.errors));
 */
export async function loadCases(file: string, topology: Topology, env: Env = process.env): Promise<CasesResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, errors: [{ file, line: 1, column: 1, message: `cannot read the cases file: ${reason}` }] };
  }
  return parseCases(text, file, topology, env);
}

/**
 * Checks cases text as if read from `file`: YAML with positions and `${VAR}` substitution,
 * the zod schema (readable errors, did-you-mean on unknown keys), then the checks against the
 * topology (targets exist and are stages, `to` is downstream of `from`, ...).
 *
 * @example
 * parseCases('tests:\n  - name: t\n    actor: enrich\n    input: []\n    outputs: []\n', 'c.yaml', topology);
 */
export function parseCases(text: string, file: string, topology: Topology, env: Env = process.env): CasesResult {
  const source = readSource(text, file, env);
  if (source.fatal) return { ok: false, errors: sortErrors(source.errors) };
  const { map, data } = source;
  const errors: TopologyError[] = [...source.errors];
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    errors.push(
      topologyError(file, map.locate([]), [], {
        message: 'not a cases file',
        expected: 'a mapping with tests',
        found: data === null ? 'an empty document' : describeFound(data),
      }),
    );
    return { ok: false, errors: sortErrors(errors) };
  }
  const top = fileSchema.safeParse(data);
  if (!top.success) errors.push(...issueErrors(top.error.issues, { file, map, base: [], data, schema: fileSchema }));
  const tests = Array.isArray((data as { tests?: unknown }).tests) ? ((data as { tests: unknown[] }).tests) : [];
  const valid: IndexedCase[] = [];
  const checked: IndexedCase[] = [];
  tests.forEach((raw, index) => {
    const base = ['tests', index];
    const parsed = safeParseCoercing(testCaseSchema, raw, base, map);
    if (parsed.success) {
      valid.push({ index, test: parsed.data });
      return;
    }
    errors.push(...issueErrors(parsed.error.issues, { file, map, base, data: raw, schema: testCaseSchema }));
    // With only unknown keys wrong at its top, the rest of the test is still worth checking.
    const lenient = lenientCase.safeParse(raw);
    if (lenient.success) checked.push({ index, test: lenient.data });
  });
  errors.push(...checkCases([...valid, ...checked].sort((a, b) => a.index - b.index), { file, map, topology }));
  if (errors.length > 0) return { ok: false, errors: sortErrors(errors) };
  const cases = valid.map(({ index, test }): LoadedCase => {
    const from = test.actor ?? test.from ?? '';
    return { test, target: { from, to: test.actor ?? test.to ?? from }, at: map.locate(['tests', index]) };
  });
  return { ok: true, cases };
}
