import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KindDefinition } from '../../../src/actors/kind.js';
import { databaseSinkConfig } from '../../../src/kinds/database/config.js';
import { databaseKind } from '../../../src/kinds/database/sink.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import type { LogRecord } from '../../../src/streams/record.js';
import type { Topology } from '../../../src/topology/model.js';
import { ensureMariaDb, type MariaDbHandle } from '../../infra/mariadb/server.js';
import { run, topology } from '../../runtime/harness.js';
import { actorContext } from '../../kit/actor-context.js';
import { crashingDatabaseSink, parsedRecords, recordSource } from './fixtures.js';
import { mysqlUrl, sql, storedLines, uniqueTable } from './mariadb.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/** Needs a real MariaDB: the shared test server "a" (test/infra/mariadb), or MILLRACE_MYSQL_URL. */
describe('database sink on MariaDB', () => {
  let server: MariaDbHandle;
  const tables: string[] = [];

  beforeAll(async () => {
    server = await ensureMariaDb('a', 13306);
  });

  afterAll(async () => {
    for (const t of tables) await sql(server, `DROP TABLE IF EXISTS \`${t}\``);
    await server.stop();
  });

  function table(): string {
    const name = uniqueTable('sink');
    tables.push(name);
    return name;
  }

  function pipeline(records: readonly LogRecord[], name: string, o: { sink?: KindDefinition; replicas?: number; pool?: number } = {}): Topology {
    const t = topology([
      { id: 'src', role: 'source', kind: recordSource(records, 100) },
      { id: 'db', role: 'sink', kind: o.sink ?? databaseKind, inputs: ['src'], replicas: o.replicas ?? 1, maxRecords: 400 },
    ]);
    (t.nodes[1] as Topology['nodes'][number]).config = databaseSinkConfig.parse({ engine: { type: 'mysql', url: mysqlUrl(server), pool: o.pool ?? 4 }, table: name });
    return t;
  }

  it('stores a batch in one write and a redelivered batch adds no duplicate', async () => {
    const name = table();
    const config = databaseSinkConfig.parse({ engine: { type: 'mysql', url: mysqlUrl(server) }, table: name });
    const io = await databaseKind.create(config, actorContext({ id: 'db' }));
    await io.connect();
    const records = parsedRecords(2500);
    await io.write(makeBatch(records, Ack.none(), 'test'));
    await io.write(makeBatch(records, Ack.none(), 'test'));
    expect(io.status?.()).toMatchObject({ engine: 'mysql', inserted: 2500, duplicates: 2500, rejected: 0 });
    await io.close();
    expect(await storedLines(server, name)).toEqual(range(2500));
    const [first] = await sql(server, `SELECT ts, day, app, event, user, fields FROM \`${name}\` WHERE line = 1`);
    const value = records[0]?.value as Record<string, unknown>;
    expect(first).toEqual({ ts: value.ts, day: value.day, app: value.app, event: value.event, user: value.user, fields: value.fields });
  });

  it('creates the table keyed by (file, line) with no secondary index and exact (binary, no-pad) keys', async () => {
    const name = table();
    const records: LogRecord[] = parsedRecords(2).map((r, i) => ({ ...r, headers: { file: i === 0 ? 'a.log' : 'A.log ', line: '1' } }));
    await run(pipeline(records, name));
    const keys = await sql(server, `SELECT index_name, column_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = '${name}' ORDER BY index_name, seq_in_index`);
    expect(keys.map((k) => [k.index_name, k.column_name])).toEqual([
      ['PRIMARY', 'file'],
      ['PRIMARY', 'line'],
    ]);
    expect((await sql(server, `SELECT COUNT(*) AS n FROM \`${name}\``))[0]?.n).toBe(2);
  });

  it('stores every row once when the sink crashes after committing and the runtime redelivers', async () => {
    const name = table();
    const { deadLettered, runtime } = await run(pipeline(parsedRecords(3000), name, { sink: crashingDatabaseSink(new Set([2, 7, 8])) }));
    expect(deadLettered).toEqual([]);
    expect(runtime.nodes.get('db')?.metrics.errors).toBe(3);
    expect(await storedLines(server, name)).toEqual(range(3000));
  });

  it('lets three replicas with small pools write concurrently, each record stored exactly once', async () => {
    const name = table();
    const { runtime } = await run(pipeline(parsedRecords(6000), name, { replicas: 3, pool: 2 }));
    expect(await storedLines(server, name)).toEqual(range(6000));
    const inserted = runtime.nodes.get('db')?.io.map((io) => Number(io?.status?.().inserted));
    expect(inserted?.filter((n) => n > 0).length).toBeGreaterThan(1);
  });

  it('dead-letters a record that does not fit the schema while its neighbours are stored', async () => {
    const name = table();
    const records = parsedRecords(300).map((r, i) => (i === 123 ? { ...r, value: { ...(r.value as object), app: 'x'.repeat(129) } } : r));
    const { deadLettered } = await run(pipeline(records, name));
    expect(deadLettered.map((d) => d.reason)).toEqual([`database ${name}: app is longer than 128 characters`]);
    expect(await storedLines(server, name)).toEqual(range(300).filter((l) => l !== 124));
  });
});
