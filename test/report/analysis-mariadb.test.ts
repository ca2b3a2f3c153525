import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseSinkConfig } from '../../src/kinds/database/config.js';
import { createDatabase } from '../../src/db/open-database.js';
import { databaseKind } from '../../src/kinds/database/sink.js';
import { reportCommand } from '../../src/cli/report-command.js';
import { analyse, type Report } from '../../src/report/analysis.js';
import { formatTopologyErrors } from '../../src/topology/errors.js';
import { parseTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/model.js';
import { parsedRecords, recordSource } from '../kinds/database/fixtures.js';
import { mysqlUrl, sql, uniqueTable } from '../kinds/database/mariadb.js';
import { ensureMariaDb, type MariaDbHandle } from '../infra/mariadb/server.js';
import { run, topology } from '../runtime/harness.js';
import { expectedStats } from './expected.js';

/** Needs a real MariaDB: the shared test server "a" (test/infra/mariadb), or MILLRACE_MYSQL_URL. */
describe('report analysis on MariaDB', () => {
  let server: MariaDbHandle;
  const table = uniqueTable('report');
  const first = parsedRecords(2000, 'hdfs:/logs/a.log.gz', 1);
  const records = [...first, ...parsedRecords(1500, 'hdfs:/logs/b.log.gz', 2), ...first.slice(0, 500)];

  beforeAll(async () => {
    server = await ensureMariaDb('a', 13306);
    const t = topology([
      { id: 'src', role: 'source', kind: recordSource(records, 250) },
      { id: 'db', role: 'sink', kind: databaseKind, inputs: ['src'], replicas: 2 },
    ]);
    (t.nodes[1] as Topology['nodes'][number]).config = databaseSinkConfig.parse({ engine: { type: 'mysql', url: mysqlUrl(server) }, table });
    await run(t);
  });

  afterAll(async () => {
    await sql(server, `DROP TABLE IF EXISTS \`${table}\``);
    await server.stop();
  });

  it('equals the counts computed independently from the records the pipeline stored', async () => {
    const db = createDatabase(databaseSinkConfig.parse({ engine: { type: 'mysql', url: mysqlUrl(server) } }).engine, table, { baseDir: '/', readonly: true });
    await db.connect();
    try {
      const report = await analyse(db);
      expect(report.rows).toEqual(expectedStats(records));
      expect(report.rows.reduce((sum, r) => sum + r.events, 0)).toBe(3500);
      expect(report.engine).toBe('mysql');
    } finally {
      await db.close();
    }
  });

  it('is what `millrace report` writes for a topology whose database sink is MariaDB, with the URL from ${ENV}', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-report-'));
    const text = ['sources:', '  gen: { kind: generator, count: 1 }', 'sinks:', `  db: { kind: database, inputs: [gen], table: ${table}, engine: { type: mysql, url: '\${DB_URL}' } }`, ''].join('\n');
    const file = join(dir, 'pipeline.yaml');
    writeFileSync(file, text);
    const loaded = parseTopology(text, file, { DB_URL: mysqlUrl(server) });
    if (!loaded.ok) throw new Error(formatTopologyErrors(loaded.errors));
    const out = join(dir, 'out');
    expect(await reportCommand(loaded.topology, { out, stdout: new PassThrough(), stderr: new PassThrough() })).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(json.rows).toEqual(expectedStats(records));
  });
});
