import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RegisteredStream } from '../db/stream-definition.js';
import { registryLocation, StreamRegistry, StreamRegistryError } from '../db/stream-registry.js';
import { parseBindAddress, type BindAddress } from '../inspect/security.js';
import { ExitCode } from './exit-codes.js';
import { serveRegistry, serverUrl } from './streams-http.js';

export const streamsUsage = `usage: millrace streams <add|list|show|update|disable|remove|serve> [id] [options]

  add <id> [settings] [--token T]   register a stream; prints its token (a random one unless given)
  list                              every stream: id, topic, cluster, state, quotas
  show <id>                         one stream as JSON (without its token)
  update <id> [settings]            change settings of a stream (served from the gateway's next reload)
  disable <id>                      refuse the stream's batches from the gateway's next reload on
  remove <id>                       delete the stream
  serve --token-file F [--listen 127.0.0.1:8470]
                                    the registry's HTTP API (GET /v1/streams, GET|PUT|PATCH|DELETE
                                    /v1/streams/<id>), every request with Authorization: Bearer <F's token>

  --registry <where>  the gateway's registry: a SQLite file (default data/streams.db) or
                      mysql://user:pass@host:port/db (MariaDB/MySQL)
  settings: --topic T --cluster C --state active|disabled --quota-records N --quota-bytes N
            --name S --owner S --format raw|text|json|msgpack --field-schema JSON --sinks JSON
            --retention-hours N --module path[#export] (projection/filter of the dispatch job; none clears it)
`;

/** Command-line option -> registry field, and how its text becomes the field's value. */
const settings: Record<string, { field: string; parse: (text: string) => unknown }> = {
  topic: { field: 'topic', parse: String },
  cluster: { field: 'cluster', parse: String },
  state: { field: 'state', parse: String },
  'quota-records': { field: 'quotaRecordsPerSec', parse: numberOrNull },
  'quota-bytes': { field: 'quotaBytesPerSec', parse: numberOrNull },
  name: { field: 'name', parse: String },
  owner: { field: 'owner', parse: String },
  format: { field: 'format', parse: String },
  'field-schema': { field: 'fieldSchema', parse: jsonOf('--field-schema') },
  sinks: { field: 'sinks', parse: jsonOf('--sinks') },
  'retention-hours': { field: 'retentionHours', parse: numberOrNull },
  module: { field: 'module', parse: moduleOf },
};

/** `path[#export]` -> the module field, its path made absolute here; `none` clears it. */
function moduleOf(text: string): { path: string; export?: string } | null {
  if (text === 'none' || text === 'null') return null;
  const hash = text.lastIndexOf('#');
  return hash < 0 ? { path: resolve(text) } : { path: resolve(text.slice(0, hash)), export: text.slice(hash + 1) };
}

function numberOrNull(text: string): number | null | string {
  if (text === 'none' || text === 'null') return null;
  const n = Number(text);
  // Left as text when not a number, so the validation names the field.
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

function jsonOf(option: string): (text: string) => unknown {
  return (text) => {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new StreamRegistryError(`${option}: not JSON (${(error as Error).message})`, [], { cause: error });
    }
  };
}

function row(s: RegisteredStream): string[] {
  return [s.id, s.topic, s.cluster, s.state, String(s.quotaRecordsPerSec ?? '-'), String(s.quotaBytesPerSec ?? '-')];
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}

function shown(s: RegisteredStream): string {
  return JSON.stringify({ ...s, tokenSha256: undefined }, null, 2) + '\n';
}

async function serve(registry: StreamRegistry, listen: string, tokenFile: string | undefined): Promise<number> {
  if (tokenFile === undefined) throw new StreamRegistryError('streams serve: give --token-file <file> holding the bearer token clients must send');
  let token: string;
  try {
    token = (await readFile(tokenFile, 'utf8')).trim();
  } catch (error) {
    throw new StreamRegistryError(`--token-file ${tokenFile}: cannot read it (${(error as Error).message})`);
  }
  if (token.length < 16) throw new StreamRegistryError(`--token-file ${tokenFile}: the token must have at least 16 characters`);
  let at: BindAddress;
  try {
    at = parseBindAddress(listen);
  } catch {
    throw new StreamRegistryError(`--listen ${listen}: expected host:port, :port or port`);
  }
  const server = await serveRegistry(registry, at, token);
  process.stderr.write(`stream registry API on ${serverUrl(server)}/v1/streams\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await new Promise<void>((done) => server.close(() => done()));
  return ExitCode.ok;
}

/** `millrace streams ...`: edits the stream registry the gateway reads. */
export async function streamsCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        registry: { type: 'string', default: 'data/streams.db' },
        token: { type: 'string' },
        listen: { type: 'string', default: '127.0.0.1:8470' },
        'token-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.keys(settings).map((name) => [name, { type: 'string' as const }])),
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${streamsUsage}`);
    return ExitCode.invalid;
  }
  const { positionals, values } = parsed;
  const [action, id] = positionals;
  if (values.help === true || action === undefined) {
    process.stdout.write(streamsUsage);
    return values.help === true ? ExitCode.ok : ExitCode.invalid;
  }
  if (action !== 'list' && action !== 'serve' && id === undefined) {
    process.stderr.write(`millrace streams ${action}: give the stream id\n\n${streamsUsage}`);
    return ExitCode.invalid;
  }
  const given = registryLocation(values.registry as string);
  const location = 'url' in given ? given : { path: resolve(given.path) };
  const where = 'url' in location ? location.url.replace(/\/\/[^@/]*@/, '//') : location.path;
  let registry: StreamRegistry;
  try {
    registry = await StreamRegistry.open(location);
  } catch (error) {
    process.stderr.write(`cannot open the stream registry ${where}: ${(error as Error).message}\n`);
    return ExitCode.invalid;
  }
  try {
    const patch: Record<string, unknown> = {};
    for (const [name, { field, parse }] of Object.entries(settings)) {
      const text = (values as Record<string, unknown>)[name];
      if (typeof text === 'string') patch[field] = parse(text);
    }
    const stream = id as string;
    switch (action) {
      case 'add': {
        const added = await registry.add({ ...patch, id: stream }, values.token as string | undefined);
        process.stdout.write(`added stream ${stream} (topic ${added.stream.topic}) to ${where}\ntoken: ${added.token}\n`);
        return ExitCode.ok;
      }
      case 'list':
        process.stdout.write(table([['ID', 'TOPIC', 'CLUSTER', 'STATE', 'RECORDS/S', 'BYTES/S'], ...(await registry.list()).map(row)]));
        return ExitCode.ok;
      case 'show': {
        const found = await registry.get(stream);
        if (found === undefined) throw new StreamRegistryError(`no stream ${stream} in ${where}`);
        process.stdout.write(shown(found));
        return ExitCode.ok;
      }
      case 'update':
        process.stdout.write(shown(await registry.update(stream, patch)));
        return ExitCode.ok;
      case 'disable':
        await registry.disable(stream);
        process.stdout.write(`stream ${stream} disabled: the gateway refuses it from its next reload\n`);
        return ExitCode.ok;
      case 'serve':
        return await serve(registry, values.listen as string, values['token-file'] as string | undefined);
      case 'remove':
        if (!(await registry.remove(stream))) throw new StreamRegistryError(`no stream ${stream} in ${where}`);
        process.stdout.write(`stream ${stream} removed\n`);
        return ExitCode.ok;
      default:
        process.stderr.write(`unknown streams action "${action}"\n\n${streamsUsage}`);
        return ExitCode.invalid;
    }
  } catch (error) {
    if (!(error instanceof StreamRegistryError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return ExitCode.invalid;
  } finally {
    await registry.close();
  }
}
