// binlog -> falcon -> falcon in a real `millrace run` against its own MariaDB (instance
// "cdcfalcon") and the API-faithful stand-in of the Open-Falcon agent: a watch row added
// mid-stream meters the changes after it and not those before it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { millrace, topologyDir } from '../../cli/process.js';
import { startPushReceiver, type PushReceiver } from '../../infra/falcon-agent/push-receiver.js';
import { ensureMariaDb, type MariaDbHandle } from '../../infra/mariadb/server.js';
import { eventually } from '../../kit/eventually.js';
import { sql } from '../database/mariadb.js';
import { binlogUrl } from '../binlog/server.js';

describe('CDC to Open-Falcon', () => {
  let server: MariaDbHandle;
  let agent: PushReceiver;

  beforeAll(async () => {
    server = await ensureMariaDb('cdcfalcon', 13318);
    agent = await startPushReceiver();
    await sql(server, 'DROP TABLE IF EXISTS millrace_watch');
    await sql(server, 'DROP TABLE IF EXISTS orders');
    await sql(server, 'CREATE TABLE orders (id INT PRIMARY KEY, amount DECIMAL(10,2), qty INT, note VARCHAR(20))');
  }, 300_000);

  afterAll(async () => {
    await agent.close();
    await server.stop();
  });

  it('meters the changes after a watch row is added, not those before; a delete and a NULL field give no point', async () => {
    const { file } = topologyDir(`
name: cdc-falcon
dataDir: state
sources:
  db: { kind: binlog, url: "${binlogUrl(server)}", serverId: 64003, tables: [millrace.orders], watch: millrace.millrace_watch }
stages:
  metrics: { kind: falcon, inputs: [db] }
sinks:
  agent: { kind: falcon, inputs: [metrics], url: "${agent.url}" }
`);
    const run = millrace(['run', file]);
    // The source creates the watch table when it first connects.
    await eventually(async () => (await sql(server, "SHOW TABLES LIKE 'millrace_watch'")).length === 1, { what: 'the watch table', timeoutMs: 60_000 });
    await sql(server, "INSERT INTO orders VALUES (1, 10.00, 1, 'before')");
    await sql(server, "INSERT INTO millrace_watch (db, tbl, fields, endpoint, step, tags) VALUES ('millrace', 'orders', 'qty,amount', 'db-1', 60, 'team=shop')");
    await sql(server, "INSERT INTO orders VALUES (2, 9.99, 2, 'after')");
    await sql(server, 'UPDATE orders SET qty = 5 WHERE id = 1');
    await sql(server, 'DELETE FROM orders WHERE id = 2');
    await sql(server, "INSERT INTO orders VALUES (3, NULL, 7, 'null amount')");
    const points = (): string[] => agent.pushes.flat().map((p) => `${p.endpoint} ${p.metric} ${p.tags} ${p.value} ${p.counterType} ${p.step}`);
    await eventually(() => points().some((p) => p.includes('id=3')), { what: 'the point of order 3', timeoutMs: 60_000 });
    run.proc.kill('SIGTERM');
    const exited = await run.exited;
    expect(exited.code, exited.stderr.slice(-2000)).toBe(0);
    expect(points().sort()).toEqual(
      [
        'db-1 millrace.orders.qty team=shop,id=2 2 GAUGE 60',
        'db-1 millrace.orders.amount team=shop,id=2 9.99 GAUGE 60',
        'db-1 millrace.orders.qty team=shop,id=1 5 GAUGE 60',
        'db-1 millrace.orders.amount team=shop,id=1 10 GAUGE 60',
        'db-1 millrace.orders.qty team=shop,id=3 7 GAUGE 60',
      ].sort(),
    );
    for (const p of agent.pushes.flat()) expect(p.timestamp % 60).toBe(0);
  }, 300_000);
});
