import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { streamsCommand } from '../../src/cli/streams-command.js';
import { tokenHash } from '../../src/core/token-hash.js';
import { registryLocation, StreamRegistry } from '../../src/db/stream-registry.js';
import { ensureMariaDb, type MariaDbHandle } from '../infra/mariadb/server.js';
import { mysqlUrl, sql, uniqueTable } from '../kinds/database/mariadb.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    return { code: await streamsCommand(args), out, err };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

/** A fresh registry per test: a SQLite file, or a database of its own on the shared MariaDB test server "a". */
const engines: { name: string; setup(): { fresh(): Promise<string> } }[] = [
  { name: 'SQLite', setup: () => ({ fresh: async () => join(mkdtempSync(join(tmpdir(), 'millrace-streams-')), 'streams.db') }) },
  {
    name: 'MariaDB',
    setup() {
      let server: MariaDbHandle | undefined;
      const databases: string[] = [];
      beforeAll(async () => {
        server = await ensureMariaDb('a', 13306);
      }, 300_000);
      afterAll(async () => {
        for (const db of databases) if (server !== undefined) await sql(server, `DROP DATABASE IF EXISTS \`${db}\``);
        await server?.stop();
      }, 120_000);
      return {
        async fresh() {
          if (server === undefined) throw new Error('MariaDB is started in beforeAll');
          const database = uniqueTable('registry');
          databases.push(database);
          await sql(server, `CREATE DATABASE \`${database}\``);
          return mysqlUrl({ ...server, database });
        },
      };
    },
  },
];

describe.each(engines)('millrace streams on $name', ({ setup }) => {
  const engine = setup();

  it('adds, lists, updates, disables and removes streams in the registry the gateway reads', async () => {
    const registry = await engine.fresh();
    const added = await run(['add', 'web', '--registry', registry, '--quota-records', '500', '--owner', 'shop', '--sinks', '[{"kind":"hdfs"}]']);
    expect(added.code).toBe(0);
    const token = /token: (\S+)/.exec(added.out)?.[1] ?? '';
    expect(token.length).toBeGreaterThanOrEqual(16);
    expect((await run(['add', 'api', '--registry', registry, '--topic', 'logs.api', '--token', 'a-token-of-my-own-42'])).code).toBe(0);
    expect((await run(['list', '--registry', registry])).out).toMatch(/^api\s+logs\.api\s+default\s+active/m);
    expect((await run(['update', 'web', '--registry', registry, '--quota-records', 'none', '--retention-hours', '48'])).code).toBe(0);
    expect((await run(['disable', 'api', '--registry', registry])).code).toBe(0);

    const store = await StreamRegistry.open(registryLocation(registry));
    try {
      const revision = await store.revision();
      expect(revision).toBe(4);
      const web = await store.get('web');
      expect(web).toMatchObject({ topic: 'web', owner: 'shop', quotaRecordsPerSec: null, retentionHours: 48, sinks: [{ kind: 'hdfs' }], state: 'active', tokenSha256: tokenHash(token) });
      expect(await store.get('api')).toMatchObject({ state: 'disabled', tokenSha256: tokenHash('a-token-of-my-own-42') });
    } finally {
      await store.close();
    }
    expect((await run(['show', 'web', '--registry', registry])).out).not.toMatch(/token/i);
    expect((await run(['remove', 'web', '--registry', registry])).code).toBe(0);
    expect((await run(['show', 'web', '--registry', registry]))).toMatchObject({ code: 2, err: expect.stringMatching(/no stream web/) });
  });

  it('refuses invalid settings naming the field, and changes nothing', async () => {
    const registry = await engine.fresh();
    expect((await run(['add', 'bad id', '--registry', registry]))).toMatchObject({ code: 2, err: expect.stringMatching(/^id: a stream id has only letters/m) });
    expect((await run(['add', 'ok', '--registry', registry, '--quota-bytes', 'lots']))).toMatchObject({ code: 2, err: expect.stringMatching(/^quotaBytesPerSec: /m) });
    expect((await run(['add', 'ok', '--registry', registry, '--sinks', '{oops']))).toMatchObject({ code: 2, err: expect.stringMatching(/--sinks: not JSON/) });
    expect((await run(['add', 'ok', '--registry', registry, '--token', 'short']))).toMatchObject({ code: 2, err: expect.stringMatching(/token: at least 16 characters/) });
    expect((await run(['add', 'ok', '--registry', registry])).code).toBe(0);
    expect((await run(['add', 'ok', '--registry', registry]))).toMatchObject({ code: 2, err: expect.stringMatching(/already exists/) });
    expect((await run(['update', 'ok', '--registry', registry, '--state', 'paused']))).toMatchObject({ code: 2, err: expect.stringMatching(/^state: /m) });
    expect((await run(['update', 'ok', '--registry', registry, '--topic', 'a/b']))).toMatchObject({ code: 2, err: expect.stringMatching(/^topic: a topic has only/m) });
    expect((await run(['list', '--registry', registry])).out).toMatch(/^ok\s+ok\s+default\s+active\s+-\s+-$/m);
  });
});
