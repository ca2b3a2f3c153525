/**
 * The pipeline of the MariaDB kill test, in a process of its own so that the test can bound it
 * with a timeout whatever happens inside:
 * `node --import tsx kill-run.ts <mysql url> <table> <count>` runs records → database sink
 * (2 replicas) and prints JSON lines: `{"state": s}` whenever a sink replica changes state,
 * `{"inserted": n}` every 50 ms, and `{"result": ..., "deadLettered": n}` at the end.
 */
import type { InspectionEvent } from 'xstate';
import { databaseSinkConfig } from '../../../src/kinds/database/config.js';
import { databaseKind } from '../../../src/kinds/database/sink.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import type { Topology } from '../../../src/topology/model.js';
import { quietLog, topology } from '../../runtime/harness.js';
import { parsedRecords, recordSource } from './fixtures.js';

const [url, table, count] = process.argv.slice(2);
if (url === undefined || table === undefined || count === undefined) throw new Error('usage: kill-run.ts <url> <table> <count>');
const emit = (line: object): void => void process.stdout.write(JSON.stringify(line) + '\n');

const t = topology([
  { id: 'src', role: 'source', kind: recordSource(parsedRecords(Number(count)), 200, 5) },
  { id: 'db', role: 'sink', kind: databaseKind, inputs: ['src'], replicas: 2, maxRecords: 1000 },
]);
(t.nodes[1] as Topology['nodes'][number]).config = databaseSinkConfig.parse({ engine: { type: 'mysql', url, pool: 2, connectTimeoutMs: 1000 }, table });

let last = '';
const inspect = (e: InspectionEvent): void => {
  if (e.type !== '@xstate.snapshot') return;
  const snapshot = e.snapshot as { value?: unknown; context?: { id?: string } };
  if (snapshot.context?.id !== 'db' || snapshot.value === undefined) return;
  const state = typeof snapshot.value === 'string' ? snapshot.value : (Object.keys(snapshot.value as object)[0] ?? '');
  if (state !== last) emit({ state });
  last = state;
};
const runtime = new Runtime(t, { log: quietLog, inspect });
const inserted = (): number => (runtime.nodes.get('db')?.io ?? []).reduce((sum, io) => sum + Number(io?.status?.().inserted ?? 0), 0);
const ticker = setInterval(() => emit({ inserted: inserted() }), 50);
await runtime.start();
const result = await runtime.finished;
clearInterval(ticker);
emit({ inserted: inserted() });
emit({ result: result.ok ? { ok: true } : { ok: false, error: String(result.error) }, deadLettered: runtime.deadLetters.counts.get('db') ?? 0 });
