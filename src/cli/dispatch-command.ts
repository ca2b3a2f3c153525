import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { registryLocation, StreamRegistry } from '../db/stream-registry.js';
import { Dispatcher, type JobStatus } from '../runtime/dispatcher.js';
import { createLogger } from '../runtime/logger.js';
import { parseBindAddress } from '../inspect/security.js';
import type { QualityServer } from '../inspect/quality-http.js';
import { QualityStore } from '../quality/quality-store.js';
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
  --quality              count each sink's deliveries into the quality tables and join them
                         (millrace quality); with a SQLite registry run one such process only
  --grace-ms <n>         how long after a window's end deliveries may arrive before a shortfall is
                         alerted as lost (default 300000)
  --quality-every-ms <n> how often the counts are joined into quality rows (default 10000)
  --listen <host:port>   serve GET /api/jobs, /api/quality[/<stream>] and /metrics there
                         with --quality (loopback unless --token-file names the bearer token)
  --token-file <file>    bearer token for --listen
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
        quality: { type: 'boolean', default: false },
        'grace-ms': { type: 'string', default: '300000' },
        'quality-every-ms': { type: 'string', default: '10000' },
        listen: { type: 'string' },
        'token-file': { type: 'string' },
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
  const numbers = { 'poll-ms': values['poll-ms'], 'grace-ms': values['grace-ms'], 'quality-every-ms': values['quality-every-ms'] };
  const badNumber = Object.entries(numbers).find(([, text]) => !(Number.isInteger(Number(text)) && Number(text) > 0));
  if (typeof clusters === 'string' || badNumber !== undefined) {
    process.stderr.write(`${typeof clusters === 'string' ? clusters : `--${badNumber?.[0]} ${badNumber?.[1]}: expected a positive whole number`}\n\n${dispatchUsage}`);
    return ExitCode.invalid;
  }
  const pollMs = Number(values['poll-ms']);
  const given = registryLocation(values.registry);
  const location = 'url' in given ? given : { path: resolve(given.path) };
  let registry: StreamRegistry;
  let store: QualityStore | undefined;
  let token: string | undefined;
  try {
    token = values['token-file'] === undefined ? undefined : (await readFile(values['token-file'], 'utf8')).trim();
    registry = await StreamRegistry.open(location);
    store = values.quality ? await QualityStore.open(location) : undefined;
  } catch (error) {
    process.stderr.write(`cannot open the stream registry ${values.registry.replace(/\/\/[^@/]*@/, '//')} or read --token-file: ${(error as Error).message}\n`);
    return ExitCode.invalid;
  }
  const log = createLogger();
  const quality = store === undefined ? undefined : { store, graceMs: Number(values['grace-ms']), everyMs: Number(values['quality-every-ms']) };
  const dispatcher = new Dispatcher(registry, { log, dataDir: resolve(values['data-dir']), clusters, once: values.once, pollMs, ...(quality === undefined ? {} : { quality }) });
  let served: QualityServer | undefined;
  try {
    if (values.listen !== undefined) {
      if (dispatcher.quality === undefined) throw new Error('--listen serves the quality rows: add --quality');
      // The metrics server and prom-client load only when asked for.
      const { serveQuality } = await import('../inspect/quality-http.js');
      served = await serveQuality(dispatcher.quality, () => dispatcher.status(), { ...parseBindAddress(values.listen), ...(token === undefined ? {} : { token }), lookbackMs: 3_600_000 });
      log.info({ listen: values.listen, port: served.port }, `dispatcher: /api/jobs, /api/quality and /metrics on port ${served.port}`);
    }
    if (values.once) {
      await dispatcher.sync();
      await dispatcher.finished();
      const jobs = dispatcher.status();
      await dispatcher.quality?.judge();
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
    served?.server.close();
    await dispatcher.close();
    await registry.close();
    await store?.close();
  }
}
