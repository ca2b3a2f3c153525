import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import type { DeadLetterEntry } from '../actors/pump/dead-letters.js';
import { Runtime } from '../runtime/runtime.js';
import type { LogRecord } from '../streams/record.js';
import type { Topology } from '../topology/model.js';
import type { LoadedCase } from './cases-load.js';
import { inputRecord, viewRecord, type RecordView } from './record-view.js';
import { collected, testDeadLetterKind, testInputKind, testOutputKind } from './test-kinds.js';
import { testTopology } from './test-topology.js';
import { watchedKind } from './watched-kind.js';

/** A record that left the target, and the consumers it reached. */
export interface OutputRecord {
  record: RecordView;
  consumers: string[];
}

/** A dead letter as tests see it: its value decoded back to text or a mapping. */
export interface DeadLetterView {
  reason: string;
  actor: string;
  key: string | null;
  value: unknown;
}

/** What one test run produced. */
export interface CaseRun {
  outputs: OutputRecord[];
  deadLetters: DeadLetterView[];
  /** Set when the run did not end cleanly: it failed, or timed out. */
  failure?: string;
}

/** Options of {@link runCase}. */
export interface RunCaseOptions {
  /** Runtime logs; silent by default. */
  log?: Logger;
}

/** How long a failed run is given to stop before the next test starts. */
const STOP_GRACE_MS = 2000;

function deadLetterView(entry: DeadLetterEntry): DeadLetterView {
  let value: unknown = entry.value;
  if (entry.encoding === 'json') {
    try {
      value = JSON.parse(entry.value);
    } catch {
      value = entry.value;
    }
  }
  return { reason: entry.reason, actor: entry.actor, key: entry.key, value };
}

/**
 * Runs one config unit test in a real {@link Runtime}: the target's stages with their configured
 * kinds and settings, fed the test's records by a stand-in source, their output collected by
 * stand-in sinks (see {@link testTopology}). Records leaving the target are taken from its
 * outputs in the order it sent them. Never throws for a failing run: `failure` says what happened.
 *
 * @example
 * const run = await runCase(topology, loaded.cases[0]);
 * run.outputs.map((o) => o.record.value);
 */
export async function runCase(topology: Topology, loaded: LoadedCase, options: RunCaseOptions = {}): Promise<CaseRun> {
  const dataDir = await mkdtemp(join(tmpdir(), 'millrace-test-'));
  const into = collected();
  const sent: LogRecord[] = [];
  const log = options.log ?? pino({ level: 'silent' });
  const timeoutMs = loaded.test.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  let runtime: Runtime | undefined;
  let failure: string | undefined;
  try {
    const records = loaded.test.input.map(inputRecord);
    const kinds = { input: testInputKind(records), output: testOutputKind(into), deadLetter: testDeadLetterKind(into) };
    let cannotStart: (why: string) => void = () => undefined;
    const startFailed = new Promise<string>((resolve) => (cannotStart = resolve));
    const onCreateError = (actor: string, error: unknown): void => cannotStart(`${actor} cannot start: ${errorMessage(error)}`);
    const planned = testTopology(topology, loaded.target, kinds, dataDir);
    const nodes = planned.nodes.map((n) => (n.role === 'stage' ? { ...n, kind: watchedKind(n.kind, onCreateError) } : n));
    const rt = new Runtime({ ...planned, nodes }, { log, drainTimeoutMs: timeoutMs });
    runtime = rt;
    const target = rt.nodes.get(loaded.target.to);
    if (target !== undefined) target.outputs.tap = (out) => sent.push(...out);
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const run = (async () => {
      await rt.start();
      return rt.finished;
    })();
    const result = await Promise.race([run, timedOut, startFailed]);
    if (result === 'timeout') failure = `timed out after ${timeoutMs} ms (timeoutMs)`;
    else if (typeof result === 'string') failure = `the run failed: ${result}`;
    else if (!result.ok) failure = `the run failed: ${errorMessage(result.error)}`;
  } catch (error) {
    failure = `the run failed: ${errorMessage(error)}`;
  } finally {
    clearTimeout(timer);
  }
  if (failure !== undefined && runtime !== undefined) {
    const errors = [...runtime.nodes.values()].filter((n) => n.metrics.lastError !== undefined).map((n) => `${n.spec.id}: ${n.metrics.lastError}`);
    if (errors.length > 0) failure += `; last errors: ${errors.join('; ')}`;
    const grace = new Promise<void>((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
    await Promise.race([runtime.stop().catch(() => undefined), grace]);
  }
  await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  return {
    outputs: sent.map((record) => ({ record: viewRecord(record), consumers: into.delivered.get(record) ?? [] })),
    deadLetters: into.deadLetters.map(deadLetterView),
    ...(failure !== undefined ? { failure } : {}),
  };
}
