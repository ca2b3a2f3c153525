// A real `millrace run` (binlog -> falcon stage -> falcon sink) while the push receiver (the
// API-faithful stand-in for the Open-Falcon agent) answers every push with a 500, and holds some
// past the sink's timeout, for a minute, as the database keeps committing rows of about 6 KiB:
// the sink backs off (few requests in the minute), the process's RSS stays under a bound far
// below what the outage's rows would take if they were buffered (the binlog source is
// backpressured: it pauses the replication connection), and after recovery every expected point
// arrives, by (metric, tags, timestamp).
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchTableDdl } from '../../../src/cdc/watch.js';
import { millrace, topologyDir } from '../../cli/process.js';
import { startPushReceiver } from '../../infra/falcon-agent/push-receiver.js';
import type { MariaDbHandle } from '../../infra/mariadb/server.js';
import { eventually } from '../../kit/eventually.js';
import { sql } from '../database/mariadb.js';
import { binlogUrl, ensureCdcServer } from '../binlog/server.js';

const OUTAGE_MS = 60_000;
/** Rows per INSERT and INSERTs per second while writing: 500 rows/s. */
const ROWS_PER_INSERT = 25;
const INSERT_EVERY_MS = 50;
const PAD_BYTES = 6000;
/** RSS growth allowed over the level before the outage. */
/** The source's queue bound: at most this many rows (of about 6 KiB) held before it pauses the binlog. */
const MAX_BUFFERED_ROWS = 2000;
/**
 * RSS growth allowed over the level before the outage: the source's queue (2000 rows of 6 KiB,
 * 12 MiB of row data), the stage's and sink's input channels (8 MiB each at most) and the heap's
 * slack; buffering the outage's rows would take more than twice this.
 */
const RSS_GROWTH_BOUND_MB = 64;

/** Resident set size of a process, in MiB. */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1]) / 1024;
}

/** Inserts rows (id, qty = id, 6 KiB of padding) until `stop.stop`; returns how many. */
async function writeRows(h: MariaDbHandle, stop: { stop: boolean }): Promise<number> {
  const conn = await mysql.createConnection({ host: h.host, port: h.port, user: h.user, password: h.password, database: h.database });
  let id = 1;
  try {
    while (!stop.stop) {
      const started = Date.now();
      const rows = Array.from({ length: ROWS_PER_INSERT }, () => `(${id}, ${id++}, REPEAT('x', ${PAD_BYTES}))`).join(',');
      await conn.query(`INSERT INTO outage_stock (id, qty, pad) VALUES ${rows}`);
      await sleep(Math.max(0, INSERT_EVERY_MS - (Date.now() - started)));
    }
  } finally {
    await conn.end();
  }
  return id - 1;
}

describe('binlog -> falcon through a minute-long agent outage', () => {
  let server: MariaDbHandle;

  beforeAll(async () => {
    server = await ensureCdcServer();
    await sql(server, 'DROP TABLE IF EXISTS outage_stock');
    await sql(server, 'CREATE TABLE outage_stock (id INT PRIMARY KEY, qty INT NOT NULL, pad VARCHAR(8000) NOT NULL, created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)');
    await sql(server, 'DROP TABLE IF EXISTS outage_watch');
    await sql(server, watchTableDdl('outage_watch'));
    await sql(server, "INSERT INTO outage_watch (db, tbl, fields, endpoint, step) VALUES ('millrace', 'outage_stock', 'qty', 'shop', 60)");
  }, 300_000);

  afterAll(async () => {
    await server.stop();
  });

  it('backs off, keeps its memory bounded while the binlog keeps producing, and delivers every point after recovery', async () => {
    // Each point's latest value by (metric, tags, timestamp), as the agent would keep it.
    const pushed = new Map<string, number>();
    const agent = await startPushReceiver(0, (points) => {
      for (const p of points) pushed.set(`${p.metric}|${p.tags}|${p.timestamp}`, p.value);
    });
    const { file } = topologyDir(`
name: falcon-outage
dataDir: state
sources:
  db: { kind: binlog, url: "${binlogUrl(server)}", serverId: 64003, tables: [millrace.outage_stock], watch: millrace.outage_watch, maxBufferedRows: ${MAX_BUFFERED_ROWS} }
stages:
  metrics: { kind: falcon, inputs: [db] }
sinks:
  agent:
    kind: falcon
    inputs: [metrics]
    url: "${agent.url}"
    timeoutMs: 1000
    # Reconnect attempts at most 5 s apart (default 30 s), so recovery is seen within seconds.
    supervision: { backoff: { maxMs: 5000 } }
`);
    const run = millrace(['run', file]);
    const stop = { stop: false };
    let writing: Promise<number> | undefined;
    const samples: number[] = [];
    let slow: NodeJS.Timeout | undefined;
    try {
      const pid = run.proc.pid as number;
      let log = '';
      run.proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      // A first start follows from the binlog's end: rows written before that are not its to read.
      await eventually(() => log.includes('binlog source following'), { what: 'the binlog source following', timeoutMs: 30_000 });
      writing = writeRows(server, stop);
      await eventually(() => agent.pushes.length > 0, { what: 'points pushed before the outage', timeoutMs: 30_000 });
      await sleep(2000);
      const before = rssMb(pid);

      // The outage: every push answered 500, and one every 500 ms held past the sink's 1 s timeout.
      agent.failNext(Number.MAX_SAFE_INTEGER, 500);
      slow = setInterval(() => agent.delayNext(1, 1500), 500);
      const requestsBefore = agent.requests();
      const outageEnd = Date.now() + OUTAGE_MS;
      while (Date.now() < outageEnd) {
        samples.push(rssMb(pid));
        await sleep(500);
      }
      const requestsInOutage = agent.requests() - requestsBefore;
      clearInterval(slow);
      agent.delayNext(0, 0);
      agent.failNext(0, 500);
      stop.stop = true;
      const written = await writing;
      writing = undefined;

      const peak = Math.max(...samples);
      const outageRowsMb = (written * PAD_BYTES) / 2 ** 20;
      // Written in the test: about 65 s x 500 rows/s x 6 KiB = 186 MiB of row data if the writer keeps up.
      expect(outageRowsMb, 'the workload outgrows the bound').toBeGreaterThan(2 * RSS_GROWTH_BOUND_MB);
      expect(peak - before, `RSS ${before.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB through the outage (samples every 500 ms)`).toBeLessThan(RSS_GROWTH_BOUND_MB);
      // Without backoff the sink would retry at once: hundreds of requests a second.
      expect(requestsInOutage, 'push attempts during the minute').toBeLessThan(200);
      expect(requestsInOutage, 'the sink kept trying').toBeGreaterThan(5);

      // Every row's point: metric, tags (the rule's plus id), the commit's minute, value qty.
      const rows = (await sql(server, 'SELECT id, qty, UNIX_TIMESTAMP(created) AS at FROM outage_stock')) as Array<{ id: number; qty: number; at: number }>;
      expect(rows.length).toBe(written);
      const expected = new Map(rows.map((r) => [`millrace.outage_stock.qty|id=${r.id}|${Math.floor(Number(r.at) / 60) * 60}`, r.qty]));
      await eventually(() => pushed.size >= expected.size, { what: `all ${expected.size} points after recovery`, timeoutMs: 60_000 });
      const wrong = [...expected].filter(([k, v]) => pushed.get(k) !== v).slice(0, 5);
      expect(wrong, 'points with another value').toEqual([]);
      expect([...pushed.keys()].filter((k) => !expected.has(k)).slice(0, 5), 'points no row implies').toEqual([]);
      expect(run.proc.exitCode, 'millrace still running').toBeNull();
    } finally {
      clearInterval(slow);
      stop.stop = true;
      await writing;
      run.proc.kill('SIGTERM');
      await run.exited;
      await agent.close();
    }
  }, 180_000);
});
