import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/db/open-database.js';
import { toRow, type EventRow } from '../../src/db/event-row.js';
import { reportCommand } from '../../src/cli/report-command.js';
import type { Report } from '../../src/report/analysis.js';
import { formatTopologyErrors } from '../../src/topology/errors.js';
import { parseTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/model.js';
import { parsedRecords } from '../kinds/database/fixtures.js';
import { expectedStats } from './expected.js';

const root = new URL('../..', import.meta.url).pathname;

function yaml(sinks: string): string {
  return ['sources:', '  gen: { kind: generator, count: 10 }', 'sinks:', sinks, ''].join('\n');
}

function load(dir: string, text: string): Topology {
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, text);
  const result = parseTopology(text, file, {});
  if (!result.ok) throw new Error(formatTopologyErrors(result.errors));
  return result.topology;
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

/** A topology with one SQLite database sink whose table already holds the fixture rows. */
async function stored(count: number): Promise<{ dir: string; topology: Topology; records: ReturnType<typeof parsedRecords> }> {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-report-'));
  const topology = load(dir, yaml('  db: { kind: database, inputs: [gen], engine: { type: sqlite, path: data/events.db } }'));
  const records = parsedRecords(count);
  const db = createDatabase({ type: 'sqlite', path: 'data/events.db', synchronous: 'normal', busyTimeoutMs: 1000, summary: true }, 'events', { baseDir: dir });
  await db.connect();
  await db.ensureSchema();
  await db.insert(records.map((r) => (toRow(r) as { row: EventRow }).row));
  await db.close();
  return { dir, topology, records };
}

describe('millrace report', () => {
  it('prints the table and writes report.csv, report.json and report.html under <dataDir>/report', async () => {
    const { topology, records } = await stored(900);
    const out = capture();
    const err = capture();
    expect(await reportCommand(topology, { stdout: out.stream, stderr: err.stream })).toBe(0);
    const dir = join(topology.dataDir, 'report');
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    expect(json.rows).toEqual(expectedStats(records));
    expect(readFileSync(join(dir, 'report.csv'), 'utf8').trimEnd().split('\r\n')).toHaveLength(json.rows.length + 1);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<svg ');
    for (const row of json.rows) expect(out.text()).toMatch(new RegExp(`^${row.app}\\s+${row.day}\\s+${row.events}\\s`, 'm'));
    expect(err.text()).toContain(join(dir, 'report.html'));
  });

  it('exits 2 when the topology has no database sink, or not the one --sink names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-report-'));
    const none = load(dir, yaml('  out: { kind: file, inputs: [gen], path: out.jsonl }'));
    const err = capture();
    expect(await reportCommand(none, { stderr: err.stream })).toBe(2);
    expect(err.text()).toContain('has no database sink');
    const { topology } = await stored(10);
    expect(await reportCommand(topology, { sink: 'nope', stderr: err.stream })).toBe(2);
    expect(err.text()).toMatch(/no database sink "nope" in .*pipeline.yaml; database sinks: db/);
  });

  it('asks for --sink when there are several database sinks, and reports on the one named', async () => {
    const { dir } = await stored(30);
    const two = load(
      dir,
      yaml(['  db: { kind: database, inputs: [gen], engine: { type: sqlite, path: data/events.db } }', '  other: { kind: database, inputs: [gen], engine: { type: sqlite, path: data/other.db } }'].join('\n')),
    );
    const err = capture();
    expect(await reportCommand(two, { stderr: err.stream })).toBe(2);
    expect(err.text()).toContain('several database sinks (db, other); choose one with --sink');
    const out = join(dir, 'chosen');
    expect(await reportCommand(two, { sink: 'db', out, stdout: capture().stream, stderr: err.stream })).toBe(0);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('exits 1 when the database cannot be reached: a missing SQLite file, a MariaDB port nobody listens on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-report-'));
    const err = capture();
    const missing = load(dir, yaml('  db: { kind: database, inputs: [gen], engine: { type: sqlite, path: nowhere/events.db } }'));
    expect(await reportCommand(missing, { stderr: err.stream })).toBe(1);
    expect(err.text()).toMatch(/cannot read the sqlite database of sink "db"/);
    const closed = load(dir, yaml("  db: { kind: database, inputs: [gen], engine: { type: mysql, url: 'mysql://u:p@127.0.0.1:1/db' } }"));
    expect(await reportCommand(closed, { stderr: err.stream })).toBe(1);
    expect(err.text()).toMatch(/cannot read the mysql database of sink "db": mysql query: .*ECONNREFUSED/);
  });

  it('runs as `millrace report <file> --out <dir>` and exits 2 for an invalid topology', async () => {
    const { dir } = await stored(50);
    const run = promisify(execFile);
    const cli = [process.execPath, '--import', 'tsx', join(root, 'src/cli/main.ts'), 'report', join(dir, 'pipeline.yaml')] as const;
    const { stdout } = await run(cli[0], [...cli.slice(1), '--out', join(dir, 'cli')], { cwd: root });
    expect(stdout).toContain('events by type');
    expect(existsSync(join(dir, 'cli', 'report.csv'))).toBe(true);
    writeFileSync(join(dir, 'pipeline.yaml'), 'sources: {}\n');
    await expect(run(cli[0], [...cli.slice(1)], { cwd: root })).rejects.toMatchObject({ code: 2 });
  });
});
