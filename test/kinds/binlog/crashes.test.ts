// Crashes on both sides, against the binlog tests' MariaDB for crashes (instance "cdckill"):
// a real `millrace run` is killed with SIGKILL ten times while multi-statement transactions
// commit, and started again each time; at the end the output holds every transaction whole
// (replays only as whole transactions), and replaying its row images gives exactly the tables the
// database has. And the server itself is killed under a reading source, which reconnects and
// goes on after the last transaction it handed out.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotConnected } from '../../../src/core/errors.js';
import type { Json } from '../../../src/streams/record.js';
import { millrace, topologyDir } from '../../cli/process.js';
import { eventually } from '../../kit/eventually.js';
import { ensureMariaDb, kill9MariaDb, type MariaDbHandle } from '../../infra/mariadb/server.js';
import { sql } from '../database/mariadb.js';
import { watchTableDdl } from '../../../src/cdc/watch.js';
import { startPushReceiver } from '../../infra/falcon-agent/push-receiver.js';
import { binlogSource, binlogUrl, readRecords, valueOf } from './server.js';

const ACCOUNTS = 10;

interface Change {
  table: string;
  op: string;
  before: { [column: string]: Json } | null;
  after: { [column: string]: Json } | null;
  gtid: string;
  row: number;
}

function changesIn(file: string): Change[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { value: Change }).value);
}

/**
 * Transaction k moves money between two accounts, writing its ledger row first (with how many
 * row changes the transaction makes); every 7th also deletes an older ledger row. Runs until
 * stopped, so every kill falls mid-workload however slowly the runs start.
 */
async function workload(h: MariaDbHandle, signal: { stop: boolean }): Promise<void> {
  const conn = await mysql.createConnection({ host: h.host, port: h.port, user: h.user, password: h.password, database: h.database });
  try {
    for (let k = 1; !signal.stop; k++) {
      const from = k % ACCOUNTS;
      const to = (k * 3 + 1) % ACCOUNTS === from ? (from + 1) % ACCOUNTS : (k * 3 + 1) % ACCOUNTS;
      const deletes = k % 7 === 0 && k > 7;
      await conn.query('BEGIN');
      await conn.query('INSERT INTO ledger VALUES (?, ?, ?, ?, ?)', [k, from, to, k % 50, deletes ? 4 : 3]);
      await conn.query('UPDATE accounts SET balance = balance - ?, txn = ? WHERE id = ?', [k % 50, k, from]);
      await conn.query('UPDATE accounts SET balance = balance + ?, txn = ? WHERE id = ?', [k % 50, k, to]);
      if (deletes) await conn.query('DELETE FROM ledger WHERE k = ?', [k - 7]);
      await conn.query('COMMIT');
      if (k % 20 === 0) await sleep(15);
    }
  } finally {
    await conn.end();
  }
}

describe('binlog source under crashes', () => {
  let server: MariaDbHandle;

  beforeAll(async () => {
    server = await ensureMariaDb('cdckill', 13317);
    await sql(server, 'DROP TABLE IF EXISTS accounts');
    await sql(server, 'DROP TABLE IF EXISTS ledger');
    await sql(server, 'CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL, txn INT NOT NULL)');
    await sql(server, 'CREATE TABLE ledger (k INT PRIMARY KEY, src INT, dst INT, amount INT, changes INT)');
    await sql(server, `INSERT INTO accounts VALUES ${Array.from({ length: ACCOUNTS }, (_, i) => `(${i}, 1000, 0)`).join(',')}`);
    await sql(server, 'DROP TABLE IF EXISTS millrace_watch');
    await sql(server, watchTableDdl('millrace_watch'));
    await sql(server, 'RESET MASTER');
    // In the binlog, so the source (start: earliest) learns the rule in stream order.
    await sql(server, "INSERT INTO millrace_watch (db, tbl, fields, endpoint, step) VALUES ('millrace', 'accounts', 'balance', 'bank', 60)");
  }, 300_000);

  afterAll(async () => {
    await server.stop();
  });

  it('delivers every transaction whole; the output replays to the tables the database holds, and the last balance pushed per account is its balance', async () => {
    const agent = await startPushReceiver();
    const { dir, file } = topologyDir(`
name: cdc-kill
dataDir: state
sources:
  db: { kind: binlog, url: "${binlogUrl(server)}", serverId: 64002, tables: [millrace.accounts, millrace.ledger], start: earliest, maxBatchRows: 50, watch: millrace.millrace_watch }
stages:
  metrics: { kind: falcon, inputs: [db] }
sinks:
  out: { kind: file, inputs: [db], path: out/changes.jsonl }
  agent: { kind: falcon, inputs: [metrics], url: "${agent.url}" }
`);
    const out = join(dir, 'out', 'changes.jsonl');
    const stop = { stop: false };
    const writing = workload(server, stop);
    const atKill: number[] = [];
    try {
      for (let kill = 0; kill < 10; kill++) {
        const seen = changesIn(out).length;
        const run = millrace(['run', file]);
        await eventually(() => changesIn(out).length > seen + 200, { what: `output to grow past ${seen + 200} changes`, timeoutMs: 60_000 });
        run.proc.kill('SIGKILL');
        expect((await run.exited).signal).toBe('SIGKILL');
        atKill.push(Number(((await sql(server, 'SELECT max(k) AS n FROM ledger'))[0] as { n: number }).n));
      }
      // Transactions keep committing while no millrace runs: the last run starts behind.
      await sleep(1000);
    } finally {
      stop.stop = true;
      await writing;
    }
    const [{ n: committed }] = (await sql(server, 'SELECT max(k) AS n FROM ledger')) as [{ n: number }];
    expect(atKill.every((k) => k < committed), `kills at transactions ${atKill.join(', ')} of ${committed}: mid-workload`).toBe(true);

    const last = millrace(['run', file]);
    await eventually(() => changesIn(out).some((c) => c.table === 'ledger' && c.op === 'insert' && c.after?.k === committed), {
      what: `transaction ${committed} in the output`,
      timeoutMs: 60_000,
    });
    last.proc.kill('SIGTERM');
    expect((await last.exited).code).toBe(0);

    const changes = changesIn(out);
    // Whole transactions: for each, every row change 0..n-1 appears equally often.
    const byGtid = new Map<string, Change[]>();
    for (const c of changes) byGtid.set(c.gtid, [...(byGtid.get(c.gtid) ?? []), c]);
    const broken: string[] = [];
    for (const [gtid, rows] of byGtid) {
      const size = Number(rows.find((r) => r.table === 'ledger' && r.op === 'insert')?.after?.changes);
      const counts = Array.from({ length: size }, (_, i) => rows.filter((r) => r.row === i).length);
      if (!(size > 0 && counts.every((c) => c === counts[0]) && rows.length === size * (counts[0] ?? 0))) broken.push(`${gtid}: ${rows.length} rows, counts ${counts.join('/')}`);
    }
    expect(broken, 'transactions delivered in part').toEqual([]);
    expect(byGtid.size, 'every committed transaction').toBe(committed);

    // Replaying the row images in output order gives the tables as the database has them.
    const state = new Map<string, Map<string, Json>>([['accounts', new Map()], ['ledger', new Map()]]);
    for (const c of changes) {
      const image = c.after ?? c.before;
      const key = String(image?.id ?? image?.k);
      if (c.after === null) state.get(c.table)?.delete(key);
      else state.get(c.table)?.set(key, c.after);
    }
    const initial = Array.from({ length: ACCOUNTS }, (_, i) => [String(i), { id: i, balance: 1000, txn: 0 }] as const);
    const accounts = new Map<string, Json>([...initial, ...(state.get('accounts') ?? [])]);
    const dbAccounts = await sql(server, 'SELECT id, balance, txn FROM accounts ORDER BY id');
    expect([...accounts.values()].sort((a, b) => Number((a as { id: number }).id) - Number((b as { id: number }).id))).toEqual(dbAccounts);
    const dbLedger = await sql(server, 'SELECT k, src, dst, amount, changes FROM ledger ORDER BY k');
    expect([...(state.get('ledger')?.values() ?? [])].sort((a, b) => Number((a as { k: number }).k) - Number((b as { k: number }).k))).toEqual(dbLedger);

    // The metrics: the last point pushed per account is the balance the database holds.
    const lastBalance = new Map<string, number>();
    for (const p of agent.pushes.flat()) if (p.metric === 'millrace.accounts.balance') lastBalance.set(p.tags, p.value);
    await agent.close();
    const changed = dbAccounts.filter((a) => Number(a.txn) > 0);
    expect(Object.fromEntries(lastBalance)).toEqual(Object.fromEntries(changed.map((a) => [`id=${String(a.id)}`, a.balance])));
  }, 300_000);

  it('reports a killed server as a lost connection, and after reconnecting reads on from the last transaction handed out', async () => {
    await sql(server, 'DROP TABLE IF EXISTS restarts');
    await sql(server, 'CREATE TABLE restarts (id INT PRIMARY KEY)');
    const io = binlogSource(server, ['millrace.restarts']);
    await io.connect();
    for (let i = 1; i <= 10; i++) await sql(server, `INSERT INTO restarts VALUES (${i})`);
    const before = await readRecords(io, 10, false);
    await kill9MariaDb('cdckill');
    await expect(io.read()).rejects.toBeInstanceOf(NotConnected);
    await ensureMariaDb('cdckill', 13317);
    await io.connect();
    for (let i = 11; i <= 20; i++) await sql(server, `INSERT INTO restarts VALUES (${i})`);
    const after = await readRecords(io, 10, false);
    await io.close();
    expect([...before, ...after].map((r) => (valueOf(r).after as { id: number }).id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  }, 300_000);
});
