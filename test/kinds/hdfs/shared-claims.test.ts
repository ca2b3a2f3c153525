import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Claim } from '../../../src/kinds/hdfs/claim-store.js';
import { SharedClaims, type Clock } from '../../../src/kinds/hdfs/shared-claims.js';
import { ensureMariaDb, kill9MariaDb, startMariaDb, type MariaDbHandle } from '../../infra/mariadb/server.js';
import { mysqlUrl, sql, uniqueTable } from '../database/mariadb.js';
import { eventually } from '../../kit/eventually.js';

const quiet = pino({ level: 'silent' });
interface Entry {
  path: string;
  size: number;
  mtime: number;
}
const entry = (i: number): Entry => ({ path: `f${i}.gz`, size: 100 + i, mtime: 1000 + i });
const files = [0, 1, 2].map(entry);
const [f0, f1] = [entry(0), entry(1)];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let db: MariaDbHandle;
const opened: SharedClaims[] = [];

function store(table: string, leaseMs = 30_000, clock?: Clock): SharedClaims {
  const s = new SharedClaims({ database: mysqlUrl(db), leaseMs, table }, quiet, clock);
  opened.push(s);
  return s;
}

/** A row as a process that died holding the file leaves it: owned, lease running out in `ms`. */
async function deadOwner(table: string, file: Entry, ms: number): Promise<void> {
  const probe = store(table);
  await probe.candidates('a', []); // creates the table
  await sql(
    db,
    `INSERT INTO \`${table}\` (file, size, mtime, owner, lease_until, done, at)
     VALUES ('a:${file.path}', ${file.size}, ${file.mtime}, 'gone:1:dead', DATE_ADD(NOW(6), INTERVAL ${ms * 1000} MICROSECOND), 0, NOW(6))`,
  );
}

/** Two "processes" sharing a new table. */
function twoStores(prefix: string, leaseMs?: number): [SharedClaims, SharedClaims, string] {
  const table = uniqueTable(prefix);
  return [store(table, leaseMs), store(table, leaseMs), table];
}

/** A store of a new table holding f0. */
async function holdingF0(prefix: string, leaseMs: number): Promise<{ table: string; s: SharedClaims; c: Claim }> {
  const table = uniqueTable(prefix);
  const s = store(table, leaseMs);
  const c = await s.claim('a', f0, 0);
  if (c === undefined) throw new Error('f0 not claimed');
  return { table, s, c };
}

beforeAll(async () => {
  db = await ensureMariaDb('claims', 13326);
}, 300_000);

afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

describe('shared hdfs claims (real MariaDB)', () => {
  it('never lets two processes hold one file, and a done file stays done for its size and mtime, under random interleavings', async () => {
    type Step = { who: 0 | 1; op: 'claim' | 'complete' | 'release'; file: number };
    const step = fc.record({
      who: fc.constantFrom<0 | 1>(0, 1),
      op: fc.constantFrom<Step['op']>('claim', 'claim', 'complete', 'release'),
      file: fc.integer({ min: 0, max: files.length - 1 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(step, step), { minLength: 4, maxLength: 14 }), async (pairs) => {
        const table = uniqueTable('claims_prop');
        const stores = [store(table), store(table)] as const;
        await stores[0].candidates('a', []); // creates the table, even for runs that claim nothing
        const held: Map<number, Claim>[] = [new Map(), new Map()];
        const completed = new Set<number>();
        const act = async ({ who, op, file }: Step): Promise<void> => {
          const mine = held[who] as Map<number, Claim>;
          const s = stores[who];
          const c = mine.get(file);
          if (op === 'claim' && c === undefined) {
            const taken = await s.claim('a', files[file] as Entry, who);
            if (taken !== undefined) {
              expect(completed.has(file)).toBe(false);
              mine.set(file, taken);
            }
          } else if (op === 'complete' && c !== undefined) {
            mine.delete(file);
            await s.complete([c]);
            completed.add(file);
          } else if (op === 'release' && c !== undefined) {
            mine.delete(file);
            await s.release(c);
          }
        };
        for (const [x, y] of pairs) {
          // Both "processes" act at once: their statements interleave at the server.
          await Promise.all([act(x), act(y)]);
          for (const f of files.keys()) {
            const holders = ([0, 1] as const).filter((w) => {
              const c = held[w]?.get(f);
              return c !== undefined && stores[w].holds(c);
            });
            expect(holders.length).toBeLessThanOrEqual(1);
          }
        }
        const rows = await sql(db, `SELECT file, owner, done FROM \`${table}\` ORDER BY file`);
        for (const r of rows) {
          const f = Number(String(r.file).slice('a:f'.length, -'.gz'.length));
          const holder = held.findIndex((m) => m.has(f));
          expect(Number(r.done) === 1).toBe(completed.has(f));
          expect(r.owner).toBe(holder === -1 ? null : stores[holder as 0 | 1].owner);
        }
        const changed = files.map((f) => ({ ...f, size: f.size + 1 }));
        for (const f of completed) expect(await stores[0].claim('a', changed[f] as Entry, 0)).toBeDefined();
      }),
      { numRuns: 50 },
    );
  }, 120_000);

  it('hands the files of a process that closes (a clean stop) over at once, done files excepted', async () => {
    const [leaving, staying] = twoStores('claims_close');
    const done = await leaving.claim('a', f0, 0);
    await leaving.complete([done as Claim]);
    expect(await leaving.claim('a', f1, 0)).toBeDefined();
    expect(await staying.claim('a', f1, 0)).toBeUndefined();
    await leaving.close();
    expect(await staying.claim('a', f0, 0)).toBeUndefined();
    expect((await staying.claim('a', f1, 0))?.file).toBe('a:f1.gz');
  }, 30_000);

  it('keeps a rejected file done with its reason for every process until it changes', async () => {
    const [first, second] = twoStores('claims_reject', 600);
    await first.reject((await first.claim('a', f0, -1)) as Claim, 'too large');
    expect(await second.claim('a', f0, 0)).toBeUndefined();
    expect((await second.candidates('a', [f0])).free).toEqual([]);
    await eventually(() => second.rejected(10).length === 1, { what: 'a renewal to read the rejections', timeoutMs: 5000 });
    expect(second.rejected(10)).toEqual([{ file: 'a:f0.gz', reason: 'too large' }]);
    expect(await second.claim('a', { ...f0, size: 5 }, 0)).toBeDefined();
  }, 30_000);

  it("hands a dead process's file over only once its lease has expired", async () => {
    const table = uniqueTable('claims_expiry');
    await deadOwner(table, f0, 1500);
    const taker = store(table);
    expect(await taker.claim('a', f0, 0)).toBeUndefined();
    expect((await taker.candidates('a', files)).waiting).toBe(1);
    await sleep(1700);
    expect((await taker.claim('a', f0, 0))?.file).toBe('a:f0.gz');
  }, 30_000);

  it('keeps a live process\'s claim by renewing its lease, far past leaseMs', async () => {
    const [holder, other] = twoStores('claims_renew', 600);
    const c = await holder.claim('a', f0, 0);
    expect(c).toBeDefined();
    for (let i = 0; i < 6; i++) {
      await sleep(400);
      expect(await other.claim('a', f0, 0)).toBeUndefined();
    }
    expect(holder.holds(c as Claim)).toBe(true);
    await holder.complete([c as Claim]);
    expect(await other.claim('a', f0, 0)).toBeUndefined();
  }, 30_000);

  it('stops counting a claim as held once a renewal finds another owner, says so, and does not mark it done', async () => {
    const { table, s: paused, c } = await holdingF0('claims_lost', 900);
    // What another process leaves after taking the file over while this one was paused past its lease.
    await sql(db, `UPDATE \`${table}\` SET owner = 'other:2:alive', lease_until = DATE_ADD(NOW(6), INTERVAL 60 SECOND)`);
    await eventually(() => !paused.holds(c), { what: 'a renewal to notice', timeoutMs: 5000 });
    expect(paused.view()).toMatchObject({ lostClaims: 1 });
    expect(paused.inFlightFor('a')).toBe(0);
    expect(await paused.complete([c])).toEqual([]);
    expect(await sql(db, `SELECT owner, done FROM \`${table}\``)).toEqual([{ owner: 'other:2:alive', done: 0 }]);
    expect(paused.view()).toMatchObject({ lostClaims: 1, awaitingCompletion: 0 });
  }, 30_000);

  it('decides leases by the server clock: a host whose clock is far ahead or behind cannot take a live claim', async () => {
    const [holder, jumped, table] = twoStores('claims_clock', 2000);
    await jumped.candidates('a', []);
    expect(await holder.claim('a', f0, 0)).toBeDefined();
    await deadOwner(table, f1, 1000);
    const realNow = Date.now();
    for (const offset of [10 * 365 * 86_400_000, -10 * 365 * 86_400_000]) {
      const clock = vi.spyOn(Date, 'now').mockReturnValue(realNow + offset);
      try {
        expect(await jumped.claim('a', f0, 1)).toBeUndefined();
        expect(await jumped.claim('a', f1, 1)).toBeUndefined();
      } finally {
        clock.mockRestore();
      }
    }
    await sleep(1200);
    // The dead owner's lease has run out by the server's clock: now it can be taken.
    expect(await jumped.claim('a', f1, 1)).toBeDefined();
  }, 30_000);

  it('with the database down: takes nothing new, stops counting claims held once their leases lapse, says degraded, resumes when it is back', async () => {
    const { table, s, c } = await holdingF0('claims_down', 3000);
    expect(s.view().degraded).toBe(false);
    await kill9MariaDb('claims');
    try {
      expect(await s.claim('a', f1, 0)).toBeUndefined();
      expect(s.view()).toMatchObject({ degraded: true });
      expect(s.holds(c)).toBe(true); // its lease (3 s) is still running
      await s.complete([c]); // waits for the database
      expect(s.view().awaitingCompletion).toBe(1);
      await eventually(() => !s.holds(c), { what: 'the lease to lapse locally', timeoutMs: 10_000 });
    } finally {
      await startMariaDb('claims', 13326);
    }
    // Nobody took it meanwhile: the completion goes through once the database answers.
    await eventually(() => s.view().awaitingCompletion === 0 && s.view().degraded === false, { what: 'resume', timeoutMs: 30_000 });
    const rows = await sql(db, `SELECT done, owner FROM \`${table}\``);
    expect(rows).toEqual([{ done: 1, owner: null }]);
    expect((await s.claim('a', f1, 0))?.file).toBe('a:f1.gz');
  }, 120_000);

  it('a host whose monotonic clock jumps (paused past its lease, or forward) never holds a claim together with another process', async () => {
    const jump = fc.oneof(
      fc.record({ kind: fc.constant<'pause'>('pause'), ms: fc.integer({ min: 1, max: 600_000 }) }),
      fc.record({ kind: fc.constant<'forward'>('forward'), ms: fc.integer({ min: 1, max: 600_000 }) }),
      fc.record({ kind: fc.constant<'back'>('back'), ms: fc.integer({ min: 1, max: 600_000 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(jump, { minLength: 1, maxLength: 4 }), async (jumps) => {
        // Leases long enough that no renewal runs during a case: the jumps alone decide.
        const leaseMs = 60_000;
        const table = uniqueTable('claims_jump');
        let offset = 0;
        const clock: Clock = { now: () => performance.now() + offset };
        const jumped = store(table, leaseMs, clock);
        const other = store(table, leaseMs);
        const c = await jumped.claim('a', f0, 0);
        expect(c).toBeDefined();
        for (const j of jumps) {
          if (j.kind === 'forward') offset += j.ms;
          else if (j.kind === 'back') offset -= j.ms;
          else {
            // Paused: nothing ran, its clock did not advance; the server's did, past the lease.
            await sql(db, `UPDATE \`${table}\` SET lease_until = DATE_SUB(NOW(6), INTERVAL ${j.ms * 1000} MICROSECOND) WHERE done = 0`);
          }
          const taken = await other.claim('a', f0, 1);
          const mine = taken !== undefined && (await other.confirm(taken));
          const theirs = await jumped.confirm(c as Claim);
          expect(mine && theirs).toBe(false);
          const owners = await sql(db, `SELECT owner FROM \`${table}\``);
          expect(owners).toHaveLength(1);
          // The one the database names is the one that may send the file.
          if (theirs) expect(owners[0]?.owner).toBe(jumped.owner);
          if (mine) expect(owners[0]?.owner).toBe(other.owner);
          if (mine) return;
        }
      }),
      { numRuns: 15 },
    );
  }, 120_000);

  it('a paused host comes back with its clock unmoved: it still believes it holds the claim, the database says no, and it does not send the file', async () => {
    const table = uniqueTable('claims_pause');
    const frozenAt = performance.now();
    const paused = store(table, 2000, { now: () => frozenAt });
    const other = store(table, 2000);
    const c = await paused.claim('a', f0, 0);
    expect(c).toBeDefined();
    await sql(db, `UPDATE \`${table}\` SET lease_until = DATE_SUB(NOW(6), INTERVAL 1 SECOND)`);
    const taken = await other.claim('a', f0, 1);
    expect(taken).toBeDefined();
    expect(paused.holds(c as Claim)).toBe(true); // by its own (frozen) clock
    expect(await paused.confirm(c as Claim)).toBe(false);
    expect(await other.confirm(taken as Claim)).toBe(true);
    expect(paused.view()).toMatchObject({ lostClaims: 1 });
    expect(await paused.complete([c as Claim])).toEqual([]);
  }, 30_000);
});
