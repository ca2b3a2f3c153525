import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { MariaDbHandle } from '../infra/mariadb/server.js';
import { ensureZooKeeper, type ZooKeeperHandle } from '../infra/zookeeper/server.js';
import { sql } from '../kinds/database/mariadb.js';
import { topologyDir } from './process.js';

/** A topology registered in ZooKeeper: a generator at `rate`/s into a blackhole (a temp file each call). */
export function generatorTopology(name: string, connect: string, sessionTimeoutMs: number, rate = 200): string {
  return topologyDir(`
name: ${name}
coordination:
  zookeeper: { connect: "${connect}", sessionTimeoutMs: ${sessionTimeoutMs}, root: /millrace-test }
sources:
  gen: { kind: generator, rate: ${rate} }
sinks:
  out: { kind: blackhole, inputs: [gen] }
`).file;
}

/** How the log pipeline of {@link rowsTopology} reads its root and where it stores the rows. */
export interface RowsPipeline {
  /** Topology name. */
  name: string;
  /** Data dir (relative to the topology file). */
  dataDir: string;
  /** Extra top-level YAML lines (e.g. `coordination:`). */
  header?: string[];
  /** Extra hdfs source settings, indented lines (e.g. `    watch: true`). */
  source?: string[];
  /** The claims database URL, lease and table. */
  claims: { url: string; leaseMs: number; table: string };
  /** The database sink's URL and table. */
  sink: { url: string; table: string };
}

/**
 * Writes `<dir>/<file>`: the log pipeline from the local "HDFS" root `in` (2 pollers, claims
 * shared in a database) through decompress, split and parse into a database table.
 */
export function rowsTopology(dir: string, file: string, p: RowsPipeline): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    [
      `name: ${p.name}`,
      `dataDir: ${p.dataDir}`,
      ...(p.header ?? []),
      'sources:',
      '  files:',
      '    kind: hdfs',
      '    clusters: [{ name: a, backend: { type: local, dir: in }, pollers: 2 }]',
      ...(p.source ?? []),
      `    coordination: { database: "${p.claims.url}", leaseMs: ${p.claims.leaseMs}, table: ${p.claims.table} }`,
      'stages:',
      '  decompress: { kind: decompress, inputs: [files] }',
      '  split: { kind: split, inputs: [decompress] }',
      '  parse: { kind: parse, inputs: [split] }',
      'sinks:',
      `  db: { kind: database, inputs: [parse], engine: { type: mysql, url: "${p.sink.url}" }, table: ${p.sink.table} }`,
      '',
    ].join('\n'),
  );
  return path;
}

/** Rows in `table` (0 while the sink has not created it). */
export async function storedRows(db: MariaDbHandle, table: string): Promise<number> {
  const rows = await sql(db, `SELECT count(*) AS n FROM information_schema.TABLES WHERE TABLE_NAME = '${table}'`).catch(() => []);
  if (Number(rows[0]?.n ?? 0) === 0) return 0;
  return Number((await sql(db, `SELECT count(*) AS n FROM \`${table}\``))[0]?.n);
}

/**
 * In a describe block: the shared test ZooKeeper (started before its tests) and a list where the
 * tests put the processes they start; those still running are killed after the tests.
 */
export function zooKeeperAndProcesses(): { zk: () => ZooKeeperHandle; procs: ChildProcess[] } {
  let zk: ZooKeeperHandle | undefined;
  const procs: ChildProcess[] = [];
  beforeAll(async () => {
    zk = await ensureZooKeeper();
  }, 240_000);
  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await zk?.stop();
  }, 60_000);
  return {
    zk: () => {
      if (zk === undefined) throw new Error('ZooKeeper is not started yet');
      return zk;
    },
    procs,
  };
}
