import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { registryLocation, StreamRegistry } from '../db/stream-registry.js';
import { Dispatcher, type JobStatus } from '../runtime/dispatcher.js';
import { createLogger } from '../runtime/logger.js';
import { ExitCode } from './exit-codes.js';

export const dispatchUsage = `usage: millrace dispatch [options]

Runs one dispatch job per active stream of the registry (kafka topic -> the stream's sinks) and
follows the registry's changes. Processes with the same registry share the jobs' partitions.

  --registry <where>     a SQLite file (default data/streams.db) or mysql://user:pass@host:port/db
  --brokers <h:p,...>    Kafka brokers of the cluster "default" (or MILLRACE_KAFKA_BROKERS)
  --cluster <name=h:p,...>  brokers of another cluster a stream names (repeatable)
  --data-dir <dir>       jobs' state, and where relative sink paths resolve (default data/dispatch)
  --poll-ms <n>          how often the registry is checked for changes (default 2000)
  --once                 read each active stream's topic to its current end, print the status, exit
`;

function clustersOf(brokers: string | undefined, named: readonly string[]): Map<string, string[]> | string {
  const clusters = new Map<string, string[]>();
  const list = (text: string): string[] => text.split(',').map((b) => b.trim()).filter((b) => b.length > 0);
  if (brokers !== undefined) clusters.set('default', list(brokers));
  for (const entry of named) {
    const at = entry.indexOf('=');
    if (at <= 0 || list(entry.slice(at + 1)).length === 0) return `--cluster ${entry}: expected name=host:port[,host:port...]`;
    clusters.set(entry.slice(0, at), list(entry.slice(at + 1)));
  }
  return clusters.size > 0 ? clusters : 'give the Kafka brokers: --brokers host:port (or MILLRACE_KAFKA_BROKERS)';
}

function statusTable(jobs: readonly JobStatus[]): string {
  const rows = [['STREAM', 'TOPIC', 'STATE', 'TAKEN', 'ERRORS', 'RESTARTS', 'LAST ERROR'], ...jobs.map((j) => [j.stream, j.topic, j.state, String(j.taken), String(j.errors), String(j.restarts), (j.error ?? j.lastError ?? '').replace(/\s*\n\s*/g, ' ')])];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}

/** `millrace dispatch`: the dispatcher of the stream registry's streams. */
export async function dispatchCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        registry: { type: 'string', default: 'data/streams.db' },
        brokers: { type: 'string' },
        cluster: { type: 'string', multiple: true, default: [] },
        'data-dir': { type: 'string', default: 'data/dispatch' },
        'poll-ms': { type: 'string', default: '2000' },
        once: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${dispatchUsage}`);
    return ExitCode.invalid;
  }
  if (values.help === true) {
    process.stdout.write(dispatchUsage);
    return ExitCode.ok;
  }
  const clusters = clustersOf(values.brokers ?? process.env.MILLRACE_KAFKA_BROKERS, values.cluster);
  const pollMs = Number(values['poll-ms']);
  if (typeof clusters === 'string' || !Number.isInteger(pollMs) || pollMs <= 0) {
    process.stderr.write(`${typeof clusters === 'string' ? clusters : `--poll-ms ${values['poll-ms']}: expected a positive whole number`}\n\n${dispatchUsage}`);
    return ExitCode.invalid;
  }
  const given = registryLocation(values.registry);
  const location = 'url' in given ? given : { path: resolve(given.path) };
  let registry: StreamRegistry;
  try {
    registry = await StreamRegistry.open(location);
  } catch (error) {
    process.stderr.write(`cannot open the stream registry ${values.registry.replace(/\/\/[^@/]*@/, '//')}: ${(error as Error).message}\n`);
    return ExitCode.invalid;
  }
  const dispatcher = new Dispatcher(registry, { log: createLogger(), dataDir: resolve(values['data-dir']), clusters, once: values.once, pollMs });
  try {
    if (values.once) {
      await dispatcher.sync();
      await dispatcher.finished();
      const jobs = dispatcher.status();
      process.stdout.write(statusTable(jobs));
      return jobs.every((j) => j.state === 'finished') ? ExitCode.ok : ExitCode.runtimeFailure;
    }
    const stopped = new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    });
    await dispatcher.start();
    await stopped;
    process.stderr.write(statusTable(dispatcher.status()));
    return ExitCode.ok;
  } finally {
    await dispatcher.close();
    await registry.close();
  }
}
