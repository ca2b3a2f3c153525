import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { registryLocation } from '../db/stream-registry.js';
import type { StoredQualityRow } from '../quality/quality-store.js';
import { QualityStore } from '../quality/quality-store.js';
import { ExitCode } from './exit-codes.js';

export const qualityUsage = `usage: millrace quality [stream] [options]

Prints the quality rows the dispatcher joined: per stream, minute window of event time and sink,
the records the gateway received, the sink delivered (each once), duplicated (handed to the sink
again after a restart), lost (received - delivered) and extra (delivered - received: records that
reached Kafka without the gateway), the p50/p99 latency from event time to delivery, and the state
(open: within the grace period; ok; lost: alerted).

  --registry <where>   the registry database: a SQLite file (default data/streams.db) or
                       mysql://user:pass@host:port/db
  --minutes <n>        only the windows of the last n minutes (default: all)
  --json               one JSON array instead of the table
`;

const time = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

function table(rows: readonly StoredQualityRow[]): string {
  const head = ['STREAM', 'WINDOW (UTC)', 'SINK', 'RECEIVED', 'DELIVERED', 'DUPLICATED', 'LOST', 'EXTRA', 'P50 MS', 'P99 MS', 'STATE'];
  const cells = rows.map((r) => [r.stream, time(r.windowStart), r.sink, ...[r.received, r.delivered, r.duplicated, r.lost, r.extra].map(String), String(r.p50Ms ?? '-'), String(r.p99Ms ?? '-'), r.state]);
  const all = [head, ...cells];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  // Text columns left-aligned, the counts and latencies right-aligned.
  const line = (r: readonly string[]): string => r.map((c, i) => (i >= 3 && i <= 9 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return all.map(line).join('\n') + '\n';
}

/** `millrace quality [stream]`: the quality table of the registry database. */
export async function qualityCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        registry: { type: 'string', default: 'data/streams.db' },
        minutes: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${qualityUsage}`);
    return ExitCode.invalid;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(qualityUsage);
    return ExitCode.ok;
  }
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
  if (positionals.length > 1 || (minutes !== undefined && !(Number.isInteger(minutes) && minutes > 0))) {
    process.stderr.write(`${positionals.length > 1 ? `give at most one stream (got ${positionals.join(' ')})` : `--minutes ${values.minutes}: expected a positive whole number`}\n\n${qualityUsage}`);
    return ExitCode.invalid;
  }
  const given = registryLocation(values.registry);
  const location = 'url' in given ? given : { path: resolve(given.path) };
  let store: QualityStore;
  try {
    store = await QualityStore.open(location);
  } catch (error) {
    process.stderr.write(`cannot open the registry database ${values.registry.replace(/\/\/[^@/]*@/, '//')}: ${(error as Error).message}\n`);
    return ExitCode.invalid;
  }
  try {
    const rows = await store.rows(positionals[0], minutes === undefined ? 0 : Date.now() - minutes * 60_000);
    if (values.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    else if (rows.length === 0) process.stdout.write(`no quality rows${positionals[0] === undefined ? '' : ` for stream ${positionals[0]}`} yet: the dispatcher (millrace dispatch) joins them\n`);
    else process.stdout.write(table(rows));
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}
