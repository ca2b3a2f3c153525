import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMariaDb, kill9MariaDb, startMariaDb, type MariaDbHandle } from '../infra/mariadb/server.js';
import { mysqlUrl, sql, uniqueTable } from '../kinds/database/mariadb.js';
import { eventually } from '../kit/eventually.js';
import { freePort } from '../kit/free-port.js';
import { rowsTopology, storedRows } from './cluster-topologies.js';
import { millrace, topologyDir, type Exited } from './process.js';

const leaseMs = 2000;
/** A MariaDB of this file's own: the last test kills it (test/kinds/hdfs/shared-claims.test.ts kills 'claims'). */
const instance = { name: 'claims-cli', port: 13328 };
let db: MariaDbHandle;

/** One "HDFS" root of `n` small files, each holding its own name, and two topologies reading it. */
function twoProcesses(n: number, table: string): { dir: string; names: string[]; topology: (p: string) => string } {
  const { dir } = topologyDir('');
  mkdirSync(join(dir, 'in'));
  const names = Array.from({ length: n }, (_, i) => `f${String(i).padStart(5, '0')}`);
  for (const name of names) writeFileSync(join(dir, 'in', `${name}.log`), name);
  const topology = (p: string): string => {
    const file = join(dir, `${p}.yaml`);
    writeFileSync(
      file,
      [
        `name: shared-${p}`,
        `dataDir: .millrace/${p}`,
        'sources:',
        '  files:',
        '    kind: hdfs',
        "    clusters: [{ name: a, backend: { type: local, dir: in }, pollers: 2 }]",
        `    coordination: { database: "${mysqlUrl(db)}", leaseMs: ${leaseMs}, table: ${table} }`,
        'sinks:',
        `  out: { kind: file, inputs: [files], path: out-${p}.txt, format: lines }`,
        '',
      ].join('\n'),
    );
    return file;
  };
  return { dir, names, topology };
}

function readBy(dir: string, p: string): string[] {
  const file = join(dir, `out-${p}.txt`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
}

function expectExit(exited: Exited): void {
  if (exited.code !== 0) throw new Error(`millrace exited ${exited.code ?? exited.signal}: ${exited.stderr.slice(-2000)}`);
}

beforeAll(async () => {
  db = await ensureMariaDb(instance.name, instance.port);
}, 300_000);

afterAll(async () => {
  await db.stop();
});

describe('two millrace processes sharing hdfs claims in MariaDB', () => {
  it('split the files of one root: each file read by exactly one of them', async () => {
    const table = uniqueTable('shared_split');
    const { dir, names, topology } = twoProcesses(600, table);
    const [a, b] = [millrace(['run', topology('p1')]), millrace(['run', topology('p2')])];
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    expectExit(ea);
    expectExit(eb);
    const [r1, r2] = [readBy(dir, 'p1'), readBy(dir, 'p2')];
    expect(r1.length).toBeGreaterThan(0);
    expect(r2.length).toBeGreaterThan(0);
    expect([...r1, ...r2].sort()).toEqual(names);
    const done = await sql(db, `SELECT count(*) AS n FROM \`${table}\` WHERE done = 1 AND owner IS NULL`);
    expect(Number(done[0]?.n)).toBe(names.length);
  }, 180_000);

  it("survive kill -9 of one of them three times: every file completed once, the dead one's claims taken over after the lease, done files never read again", async () => {
    const table = uniqueTable('shared_kill');
    const { dir, names, topology } = twoProcesses(3000, table);
    const [t1, t2] = [topology('p1'), topology('p2')];
    const survivor = millrace(['run', t2]);
    const total = (): number => readBy(dir, 'p1').length + readBy(dir, 'p2').length;
    /** Files the killed p1 held, with their lease expiry by the server's clock (seconds). */
    const held = new Map<string, number>();
    let last: string[] = [];
    for (let kill = 1; kill <= 3; kill++) {
      const victim = millrace(['run', t1]);
      const before = readBy(dir, 'p1').length;
      await eventually(() => readBy(dir, 'p1').length > before + 50, { what: `p1 to read files (run ${kill})`, timeoutMs: 60_000 });
      victim.proc.kill('SIGKILL');
      expect((await victim.exited).signal).toBe('SIGKILL');
      const rows = await sql(db, `SELECT file, UNIX_TIMESTAMP(lease_until) AS until FROM \`${table}\` WHERE done = 0 AND owner LIKE '%:${victim.proc.pid}:%'`);
      for (const r of rows) held.set(String(r.file), Number(r.until));
      last = rows.map((r) => String(r.file));
      expect(total()).toBeLessThan(names.length);
    }
    // p1 stays dead: p2 alone must finish, taking over what p1 held once the leases expire.
    expectExit(await survivor.exited);
    expect(held.size).toBeGreaterThan(0);
    // Each file a killed p1 held was completed (by p2 or the next p1) only after its lease expired.
    for (const [file, until] of held) {
      const [row] = await sql(db, `SELECT UNIX_TIMESTAMP(at) AS at FROM \`${table}\` WHERE file = '${file}'`);
      expect(Number(row?.at)).toBeGreaterThanOrEqual(until);
    }
    const states = await sql(db, `SELECT done, owner IS NULL AS free, count(*) AS n FROM \`${table}\` GROUP BY done, owner IS NULL`);
    expect(states).toEqual([{ done: 1, free: 1, n: names.length }]);

    // Started again with everything done, p1 reads nothing; its sink drops the lines it had
    // written but not acknowledged when it was killed.
    const beforeRestart = new Set(readBy(dir, 'p1'));
    expectExit(await millrace(['run', t1]).exited);
    const r1 = readBy(dir, 'p1');
    const r2 = readBy(dir, 'p2');
    for (const f of r1) expect(beforeRestart).toContain(f);
    for (const f of last) expect(r2).toContain(f.slice('a:'.length, -'.log'.length));
    expect(new Set([...r1, ...r2])).toEqual(new Set(names));
    // p2, never killed, read no file twice; the duplicates are files a killed p1 had stored but not
    // yet marked done, read again by p2 or the next p1 (at-least-once, bounded by what was in flight).
    expect(new Set(r2).size).toBe(r2.length);
    expect(r1.length + r2.length - names.length).toBeLessThanOrEqual(3 * 50);
  }, 300_000);

  it('into one MariaDB table, survive kill -9 of one of them five times at random moments while files keep arriving: every line of every file stored exactly once', async () => {
    const table = uniqueTable('shared_rows');
    const claims = uniqueTable('shared_rows_claims');
    const { dir } = topologyDir('');
    mkdirSync(join(dir, 'in'));
    mkdirSync(join(dir, 'staging'));
    const lines = 100;
    let files = 0;
    /** Adds 20 files to the root (each written aside, then renamed in whole). */
    const addFiles = (): void => {
      for (let n = 0; n < 20; n++, files++) {
        const name = `f${String(files).padStart(5, '0')}.log`;
        const text = Array.from({ length: lines }, (_, i) => `2026-11-20T08:15:02.${String(i % 1000).padStart(3, '0')}Z shop ad_show user=u${files} ad=a${i}\n`).join('');
        writeFileSync(join(dir, 'staging', name), text);
        renameSync(join(dir, 'staging', name), join(dir, 'in', name));
      }
    };
    addFiles();
    const topology = (p: string): string =>
      rowsTopology(dir, `${p}.yaml`, {
        name: `rows-${p}`,
        dataDir: `.millrace/${p}`,
        source: ['    watch: true', '    pollIntervalMs: 200'],
        claims: { url: mysqlUrl(db), leaseMs, table: claims },
        sink: { url: mysqlUrl(db), table },
      });
    const stored = (): Promise<number> => storedRows(db, table);
    /** Files p1 (pid) holds now by the claims table: claimed, not done. */
    const holding = async (pid: number | undefined): Promise<number> =>
      Number((await sql(db, `SELECT count(*) AS n FROM \`${claims}\` WHERE done = 0 AND owner LIKE '%:${pid}:%'`).catch(() => []))[0]?.n ?? 0);
    // New files arrive all through the kills, so neither process runs out of work.
    const arriving = setInterval(addFiles, 250);
    const survivor = millrace(['run', topology('p2')]);
    try {
      for (let kill = 1; kill <= 5; kill++) {
        const victim = millrace(['run', topology('p1')]);
        // A random moment while it is reading: once it holds files, 0-1.5 s later.
        await eventually(async () => (await holding(victim.proc.pid)) > 0, { what: `p1 holding files (run ${kill})`, timeoutMs: 60_000 });
        await new Promise((r) => setTimeout(r, Math.random() * 1500));
        victim.proc.kill('SIGKILL');
        expect((await victim.exited).signal).toBe('SIGKILL');
      }
    } finally {
      clearInterval(arriving);
    }
    // The survivor takes over the dead one's claims once their leases expire, and reads the rest.
    await eventually(async () => (await stored()) >= files * lines, { what: `all ${files * lines} lines stored`, timeoutMs: 180_000 });
    survivor.proc.kill('SIGTERM');
    expectExit(await survivor.exited);
    expect(await stored()).toBe(files * lines);
    const perFile = await sql(db, `SELECT file, count(DISTINCT line) AS n, min(line) AS lo, max(line) AS hi, count(*) AS c FROM \`${table}\` GROUP BY file`);
    expect(perFile).toHaveLength(files);
    for (const f of perFile) expect(f).toMatchObject({ n: lines, lo: 1, hi: lines, c: lines });
  }, 400_000);

  it('with the claims database killed for longer than the lease: stops taking files, resumes when it is back, reads every file once', async () => {
    const { dir, names, topology } = twoProcesses(3000, uniqueTable('shared_down'));
    const port = await freePort();
    const run = millrace(['run', topology('p1'), '--inspect', `127.0.0.1:${port}`]);
    /** Whether the hdfs pollers' status (inspector API) says the claims are degraded. */
    const degraded = async (): Promise<boolean> => {
      const actors = await (await fetch(`http://127.0.0.1:${port}/api/actors`)).text();
      return /"claims":\{[^}]*"degraded":true/.test(actors);
    };
    await eventually(() => readBy(dir, 'p1').length > 300, { what: 'files to be read', timeoutMs: 60_000 });
    expect(await degraded()).toBe(false);
    await kill9MariaDb(instance.name);
    let stalled: number;
    try {
      // Held files finish while their leases last; then nothing more is read.
      await new Promise((r) => setTimeout(r, leaseMs + 1000));
      stalled = readBy(dir, 'p1').length;
      await new Promise((r) => setTimeout(r, 3000));
      expect(readBy(dir, 'p1').length).toBe(stalled);
      expect(run.proc.exitCode).toBeNull();
      expect(await degraded()).toBe(true);
    } finally {
      await startMariaDb(instance.name, instance.port);
    }
    const exited = await run.exited;
    expectExit(exited);
    expect(exited.stdout + exited.stderr).toContain('hdfs claims database unreachable');
    const read = readBy(dir, 'p1');
    expect(stalled).toBeLessThan(names.length);
    expect(read.sort()).toEqual(names);
  }, 300_000);
});
