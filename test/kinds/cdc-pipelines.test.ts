// The CDC pipelines in a real `millrace run` against their own MariaDB (instance "cdcfalcon"):
// binlog -> falcon -> falcon with the API-faithful stand-in of the Open-Falcon agent (a watch row
// added mid-stream meters the changes after it and not those before it), and binlog -> changelog
// -> kafka on the embedded log (one topic per table, changelog-json keyed by primary key).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { millrace, topologyDir } from '../cli/process.js';
import { startPushReceiver, type PushReceiver } from '../infra/falcon-agent/push-receiver.js';
import { ensureMariaDb, type MariaDbHandle } from '../infra/mariadb/server.js';
import { eventually } from '../kit/eventually.js';
import { sql } from './database/mariadb.js';
import { binlogUrl } from './binlog/server.js';

describe('CDC pipelines', () => {
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

  it('writes a changelog-json topic per table, keyed by primary key, in commit order', async () => {
    await sql(server, 'CREATE TABLE IF NOT EXISTS stock (sku VARCHAR(10) PRIMARY KEY, n INT)');
    // Only what follows is read (start: earliest on a fresh binlog).
    await sql(server, 'RESET MASTER');
    await sql(server, "INSERT INTO stock VALUES ('a1', 3)");
    await sql(server, "UPDATE stock SET n = 2 WHERE sku = 'a1'");
    await sql(server, "INSERT INTO orders VALUES (10, 1.50, 1, 'k')");
    await sql(server, "DELETE FROM stock WHERE sku = 'a1'");
    const { dir, file } = topologyDir(`
name: cdc-kafka
dataDir: state
transport: { type: embedded }
sources:
  db: { kind: binlog, url: "${binlogUrl(server)}", serverId: 64004, tables: [millrace.orders, millrace.stock], start: earliest }
stages:
  changes: { kind: changelog, inputs: [db] }
sinks:
  topics: { kind: kafka, inputs: [changes], topic: "cdc.{stream}" }
  seen: { kind: file, inputs: [changes], path: seen.jsonl }
`);
    const run = millrace(['run', file]);
    const seen = join(dir, 'seen.jsonl');
    await eventually(() => existsSync(seen) && readFileSync(seen, 'utf8').split('\n').length > 5, { what: 'five changelog records', timeoutMs: 60_000 });
    run.proc.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);

    const topic = async (name: string): Promise<string[]> => {
      const reader = join(dir, `read-${name}.yaml`);
      writeFileSync(reader, `name: read\ndataDir: state\ntransport: { type: embedded }\nsources: { t: { kind: kafka, topics: [${name}], until: end, group: check } }\nsinks: { out: { kind: stdout, inputs: [t] } }\n`);
      const done = await millrace(['run', reader]).exited;
      expect(done.code).toBe(0);
      return done.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const r = JSON.parse(l) as { key: string; value: string };
          return `${r.key} ${r.value}`;
        });
    };
    expect(await topic('cdc.millrace.stock')).toEqual([
      '{"sku":"a1"} {"data":{"sku":"a1","n":3},"op":"+I"}',
      '{"sku":"a1"} {"data":{"sku":"a1","n":3},"op":"-U"}',
      '{"sku":"a1"} {"data":{"sku":"a1","n":2},"op":"+U"}',
      '{"sku":"a1"} {"data":{"sku":"a1","n":2},"op":"-D"}',
    ]);
    expect(await topic('cdc.millrace.orders')).toEqual(['{"id":10} {"data":{"id":10,"amount":"1.50","qty":1,"note":"k"},"op":"+I"}']);
  }, 300_000);
});
