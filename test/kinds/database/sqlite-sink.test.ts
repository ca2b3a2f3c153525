import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { KindDefinition } from '../../../src/actors/kind.js';
import { databaseSinkConfig } from '../../../src/kinds/database/config.js';
import { databaseKind } from '../../../src/kinds/database/sink.js';
import { Ack } from '../../../src/streams/ack.js';
import { makeBatch } from '../../../src/streams/batch.js';
import type { LogRecord } from '../../../src/streams/record.js';
import type { Topology } from '../../../src/topology/model.js';
import { run, topology } from '../../runtime/harness.js';
import { actorContext } from '../../kit/actor-context.js';
import { crashingDatabaseSink, parsedRecords, recordSource } from './fixtures.js';

interface StoredRow {
  file: string;
  line: number;
  app: string;
  event: string;
  user: string | null;
  fields: string;
}

/** Reads the table straight from the file, without the code under test. */
function storedRows(path: string): StoredRow[] {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return db.prepare('SELECT file, line, app, event, user, fields FROM events ORDER BY file, line').all() as StoredRow[];
  } finally {
    db.close();
  }
}

function pipeline(records: readonly LogRecord[], o: { sink?: KindDefinition; replicas?: number; batch?: number; delayMs?: number } = {}): { t: Topology; dbPath: string } {
  const t = topology([
    { id: 'src', role: 'source', kind: recordSource(records, o.batch ?? 50, o.delayMs) },
    { id: 'db', role: 'sink', kind: o.sink ?? databaseKind, inputs: ['src'], replicas: o.replicas ?? 1, maxRecords: 200 },
  ]);
  const db = t.nodes.find((n) => n.id === 'db') as Topology['nodes'][number];
  db.config = databaseSinkConfig.parse({ engine: { type: 'sqlite', path: 'db/events.db' } });
  return { t, dbPath: join(t.baseDir, 'db/events.db') };
}

function lines(rows: readonly StoredRow[]): number[] {
  return rows.map((r) => r.line);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('database sink on SQLite', () => {
  it('stores a batch as rows and a redelivered batch adds no duplicate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-db-'));
    const config = databaseSinkConfig.parse({ engine: { type: 'sqlite', path: 'events.db' } });
    const io = await databaseKind.create(config, actorContext({ id: 'db', dir }));
    await io.connect();
    const records = parsedRecords(300);
    const batch = () => makeBatch(records, Ack.none(), 'test');
    expect(await io.write(batch())).toBeUndefined();
    expect(await io.write(batch())).toBeUndefined();
    expect(io.status?.()).toMatchObject({ inserted: 300, duplicates: 300, rejected: 0 });
    await io.close();
    const rows = storedRows(join(dir, 'events.db'));
    expect(lines(rows)).toEqual(range(300));
    const first = records[0]?.value as { app: string; event: string; fields: object };
    expect(rows[0]).toMatchObject({ file: 'hdfs:/logs/app.log.gz', app: first.app, event: first.event, fields: JSON.stringify(first.fields) });
  });

  it.each([true, false])('counts only the new rows of a batch that partly overlaps what is stored, across multi-row statements (writer thread: %s)', async (writerThread) => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-db-'));
    const config = databaseSinkConfig.parse({ engine: { type: 'sqlite', path: 'events.db', writerThread } });
    const io = await databaseKind.create(config, actorContext({ id: 'db', dir }));
    await io.connect();
    const records = parsedRecords(400);
    await io.write(makeBatch(records.slice(0, 150), Ack.none(), 'test'));
    // Rows 101-300: 50 stored, 150 new; 200 rows span whole 64-row statements and a rest.
    await io.write(makeBatch(records.slice(100, 300), Ack.none(), 'test'));
    expect(io.status?.()).toMatchObject({ inserted: 300, duplicates: 50, rejected: 0 });
    await io.close();
    const rows = storedRows(join(dir, 'events.db'));
    expect(lines(rows)).toEqual(range(300));
    const last = records[299]?.value as { app: string; fields: object };
    expect(rows[299]).toMatchObject({ line: 300, app: last.app, fields: JSON.stringify(last.fields) });
  });

  it('fails a write with the SQLite error raised in the writer thread, and stores the batch once retried', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-db-'));
    const config = databaseSinkConfig.parse({ engine: { type: 'sqlite', path: 'events.db', writerThread: true } });
    const records = parsedRecords(100);
    const first = await databaseKind.create(config, actorContext({ id: 'db', dir }));
    await first.connect();
    await first.write(makeBatch(records.slice(0, 50), Ack.none(), 'test'));
    const other = new BetterSqlite3(join(dir, 'events.db'));
    other.exec('DROP TABLE events');
    other.close();
    await expect(first.write(makeBatch(records.slice(50), Ack.none(), 'test'))).rejects.toThrow(/no such table/);
    await first.close();
    const second = await databaseKind.create(config, actorContext({ id: 'db', dir }));
    await second.connect();
    await second.write(makeBatch(records.slice(50), Ack.none(), 'test'));
    await second.close();
    expect(lines(storedRows(join(dir, 'events.db')))).toEqual(range(100).slice(50));
  });

  it('creates the table keyed by (file, line) with no secondary index, in WAL mode', async () => {
    const { t, dbPath } = pipeline(parsedRecords(10));
    await run(t);
    const db = new BetterSqlite3(dbPath, { readonly: true });
    try {
      const pk = (db.prepare("SELECT name, pk FROM pragma_table_info('events') WHERE pk > 0 ORDER BY pk").all() as { name: string }[]).map((c) => c.name);
      expect(pk).toEqual(['file', 'line']);
      const secondary = db.prepare("SELECT name FROM pragma_index_list('events') WHERE origin <> 'pk'").all();
      expect(secondary).toEqual([]);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('stores every row once when the sink crashes after committing and the runtime redelivers the batch', async () => {
    const records = parsedRecords(1000);
    const { t, dbPath } = pipeline(records, { sink: crashingDatabaseSink(new Set([1, 4, 5])) });
    const { runtime, deadLettered } = await run(t);
    expect(deadLettered).toEqual([]);
    expect(runtime.nodes.get('db')?.metrics.errors).toBe(3);
    expect(lines(storedRows(dbPath))).toEqual(range(1000));
  });

  it('lets three replicas share the input and store every record exactly once', async () => {
    const { t, dbPath } = pipeline(parsedRecords(3000), { replicas: 3, batch: 100 });
    const { runtime } = await run(t);
    expect(lines(storedRows(dbPath))).toEqual(range(3000));
    const inserted = runtime.nodes.get('db')?.io.map((io) => io?.status?.().inserted);
    expect(inserted?.filter((n) => typeof n === 'number' && n > 0).length).toBeGreaterThan(1);
  });

  it('stores every record once while another process writes overlapping rows to the same file', async () => {
    const records = parsedRecords(6000);
    const { t, dbPath } = pipeline(records, { replicas: 2, batch: 100, delayMs: 10 });
    mkdirSync(dirname(dbPath), { recursive: true });
    const other = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../db/sqlite-writer.ts'), dbPath, '6000', '100', '10'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    other.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => other.on('exit', resolve));
    while (!out.startsWith('ready\n')) await new Promise((resolve) => setTimeout(resolve, 20));
    const { runtime } = await run(t);
    expect(await exited).toBe(0);
    const fromOther = (JSON.parse(out.slice('ready\n'.length)) as { inserted: number }).inserted;
    const fromRuntime = runtime.nodes.get('db')?.io.reduce((sum, io) => sum + Number(io?.status?.().inserted), 0);
    expect(lines(storedRows(dbPath))).toEqual(range(6000));
    // Both writers got rows in, so their transactions interleaved on the one file.
    expect(fromOther).toBeGreaterThan(0);
    expect(fromRuntime).toBeGreaterThan(0);
    expect(fromOther + Number(fromRuntime)).toBe(6000);
  });

  it('dead-letters records that do not fit the schema while their neighbours in the batch are stored', async () => {
    const records = parsedRecords(100).map((r, i) => {
      if (i === 10) return { ...r, headers: { file: 'hdfs:/logs/app.log.gz' } };
      if (i === 50) return { ...r, value: 'raw line that was never parsed' };
      if (i === 70) return { ...r, value: { ...(r.value as object), day: 'Tuesday' } };
      return r;
    });
    const { t, dbPath } = pipeline(records);
    const { deadLettered } = await run(t);
    expect(deadLettered.map((d) => [d.actor, d.reason])).toEqual([
      ['db', 'database events: header line missing is not a positive line number'],
      ['db', 'database events: value is not a parsed record object'],
      ['db', 'database events: day "Tuesday" is not YYYY-MM-DD'],
    ]);
    expect(lines(storedRows(dbPath))).toEqual(range(100).filter((l) => l !== 11 && l !== 51 && l !== 71));
  });
});
