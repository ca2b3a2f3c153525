import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type mysql from 'mysql2/promise';
import { mysqlDriver } from '../../db/mysql-driver.js';
import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import { binaryCollation, isDeadlock } from '../../db/mysql.js';
import { isConnectionError } from '../../db/connection-errors.js';
import type { FileEntry } from '../../stores/backend.js';
import type { Json } from '../../streams/record.js';
import { fileId, type Candidates, type Claim, type ClaimStore } from './claim-store.js';
import type { CoordinationConfig } from './config.js';
import { claimStatements } from './shared-claims-sql.js';

/** Ids per `IN (...)` list. */
const chunk = 500;
/** Attempts of a completion transaction that deadlocks. */
const deadlockRetries = 3;

/** A monotonic clock in ms (`performance` by default; tests fake pauses and jumps). */
export interface Clock {
  now(): number;
}

/** A claim this process holds, with the local (monotonic) time its lease is sure to last until. */
interface Held {
  claim: Claim;
  /** When the claim statement was sent: a renewal sent before it does not know the claim. */
  takenAt: number;
  validUntil: number;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += chunk) out.push(items.slice(i, i + chunk));
  return out;
}

/**
 * Claims shared by every process running the topology, in one MariaDB/MySQL table keyed by file
 * id: (size, mtime, owner, lease_until, done, reason). Taking a file is one conditional statement
 * (only if unowned, its lease expired, or done for another size/mtime), so two processes never
 * hold one file; leases are set and compared by the server's clock (`NOW(6)`), so a host whose
 * clock jumps cannot take a live claim. Held leases are renewed every `leaseMs / 3`; this process
 * counts a claim as held only until `leaseMs` after the last renewal it sent (a monotonic clock),
 * which is never later than the server's expiry while that clock runs. A host paused (a VM
 * suspended, a stopped process) can come back with a clock that did not advance, so before a file
 * is sent on, `confirm` asks the server whether the lease is still live and extends it. Completing
 * or rejecting marks the row done only while this process still owns it. Claims of a process that
 * dies are taken over once their leases expire.
 *
 * While the database is unreachable no file is taken, held files are finished only while their
 * leases last, completions wait for the database to return, and `view()` says degraded. Once it is
 * back, expired leases of others are taken over only after `leaseMs` more: every process lost the
 * database together, so their leases ran out without fault, and a live owner renews (and
 * completes) within that time.
 *
 * @example
 * const claims = new SharedClaims({ database: 'mysql://u:p@db:3306/millrace', leaseMs: 30000, table: 'millrace_hdfs_files' }, log);
 * const c = await claims.claim('a', { path: 'x.gz', size: 10, mtime: 1 }, 0);
 * if (c) await claims.complete([c]);
 */
export class SharedClaims implements ClaimStore {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly pool: mysql.Pool;
  private readonly held = new Map<string, Held>();
  /** Claims whose completion (reason null) or rejection waits for the database. */
  private unfinished: { claim: Claim; reason: string | null }[] = [];
  private sql: ReturnType<typeof claimStatements> | undefined;
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> | undefined;
  /** The last completion transaction: they run one at a time. */
  private finishing: Promise<void> = Promise.resolve();
  private unreachable: string | undefined;
  private lost = 0;
  private recent: { file: string; reason: string }[] = [];
  /** When the database answered again after an outage (local clock); no outage seen: -Infinity. */
  private backSince = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly config: CoordinationConfig,
    private readonly log: Logger,
    private readonly clock: Clock = performance,
  ) {
    this.pool = mysqlDriver().createPool({
      uri: config.database,
      connectionLimit: 2,
      connectTimeout: Math.min(5000, config.leaseMs / 3),
      enableKeepAlive: true,
      flags: ['-FOUND_ROWS'],
      charset: 'utf8mb4',
    });
    this.timer = setInterval(() => void this.renew(), Math.max(1, Math.floor(config.leaseMs / 3)));
    this.timer.unref();
  }

  async candidates(cluster: string, entries: readonly FileEntry[]): Promise<Candidates> {
    const free: FileEntry[] = [];
    let waiting = 0;
    let sql: ReturnType<typeof claimStatements>;
    try {
      sql = await this.statements();
    } catch (error) {
      return this.unlisted(error, entries);
    }
    for (const part of chunks(entries)) {
      const ids = part.map((e) => fileId(cluster, e.path));
      let rows: Record<string, unknown>[];
      try {
        rows = await this.run(sql.lookup(ids.length), ids);
      } catch (error) {
        return this.unlisted(error, entries);
      }
      const byId = new Map(rows.map((r) => [String(r.file), r]));
      for (const [i, e] of part.entries()) {
        const id = ids[i] as string;
        const row = byId.get(id);
        if (this.held.has(id)) continue;
        if (row === undefined) free.push(e);
        else if (Number(row.done) === 1) {
          if (Number(row.size) !== e.size || Number(row.mtime) !== e.mtime) free.push(e);
        } else if (row.owner !== null && Number(row.live) === 1) waiting += 1;
        else free.push(e);
      }
    }
    this.reachable();
    return { free, waiting };
  }

  /** Out of reach: nothing of the listing can be taken now, all of it may be later. */
  private unlisted(error: unknown, entries: readonly FileEntry[]): Candidates {
    if (!isConnectionError(error)) throw error;
    this.fail(error);
    return { free: [], waiting: entries.length };
  }

  async claim(cluster: string, entry: FileEntry, slot: number): Promise<Claim | undefined> {
    const file = fileId(cluster, entry.path);
    if (this.held.has(file) || this.degraded()) return undefined;
    const lease = this.config.leaseMs * 1000;
    const sent = this.clock.now();
    const expiredOk = sent - this.backSince >= this.config.leaseMs ? 1 : 0;
    try {
      const sql = await this.statements();
      let taken = await this.affected(sql.insertNew, [file, entry.size, entry.mtime, this.owner, lease]);
      if (taken === 0) {
        taken = await this.affected(sql.takeOver, [this.owner, entry.size, entry.mtime, lease, file, expiredOk, entry.size, entry.mtime]);
      }
      this.reachable();
      if (taken === 0) return undefined;
      const claim: Claim = { file, cluster, entry, slot };
      this.held.set(file, { claim, takenAt: sent, validUntil: sent + this.config.leaseMs });
      return claim;
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.fail(error);
      return undefined;
    }
  }

  holds(claim: Claim): boolean {
    const h = this.held.get(claim.file);
    return h !== undefined && h.claim === claim && this.clock.now() < h.validUntil;
  }

  async confirm(claim: Claim): Promise<boolean> {
    const h = this.held.get(claim.file);
    if (h === undefined || h.claim !== claim || !this.holds(claim)) return false;
    const sent = this.clock.now();
    try {
      const sql = await this.statements();
      const live = (await this.affected(sql.confirm, [this.config.leaseMs * 1000, this.owner, claim.file])) === 1;
      this.reachable();
      if (live) h.validUntil = Math.max(h.validUntil, sent + this.config.leaseMs);
      else this.loseClaims([claim], 'its lease had expired by the database clock');
      return live;
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.fail(error);
      return false;
    }
  }

  async release(claim: Claim): Promise<void> {
    if (this.held.get(claim.file)?.claim !== claim) return;
    this.held.delete(claim.file);
    // Unreachable: the lease expires on its own.
    await this.attempt(async (sql) => void (await this.affected(sql.release, [this.owner, claim.file])));
  }

  async complete(claims: readonly Claim[]): Promise<readonly Claim[]> {
    // A claim already found lost (and logged) is not this process's to mark done.
    const still = claims.filter((c) => this.held.get(c.file)?.claim === c);
    this.unfinished.push(...still.map((claim) => ({ claim, reason: null })));
    await this.attempt(() => this.finishUnfinished());
    return still;
  }

  async reject(claim: Claim, reason: string): Promise<void> {
    if (this.held.get(claim.file)?.claim !== claim) return;
    this.unfinished.push({ claim, reason });
    await this.attempt(() => this.finishUnfinished());
  }

  inFlightFor(cluster: string): number {
    let n = 0;
    for (const h of this.held.values()) if (h.claim.cluster === cluster) n += 1;
    return n;
  }

  rejected(limit: number): { file: string; reason: string }[] {
    return this.recent.slice(0, limit);
  }

  view(): { [key: string]: Json } {
    const lapsed = [...this.held.values()].filter((h) => this.clock.now() >= h.validUntil).length;
    return {
      shared: true,
      table: this.config.table,
      owner: this.owner,
      degraded: this.degraded(),
      unreachable: this.unreachable ?? null,
      lapsedLeases: lapsed,
      lostClaims: this.lost,
      awaitingCompletion: this.unfinished.length,
    };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    await this.finishing;
    const files = [...this.held.keys()].sort();
    this.held.clear();
    await this.attempt(async (sql) => {
      for (const part of chunks(files)) await this.affected(sql.releaseAll(part.length), [this.owner, ...part]);
    });
    await this.pool.end().catch(() => undefined);
  }

  /** Degraded: the database is out of reach, or a held lease may have lapsed. */
  private degraded(): boolean {
    if (this.unreachable !== undefined) return true;
    const now = this.clock.now();
    for (const h of this.held.values()) if (now >= h.validUntil) return true;
    return false;
  }

  /** Extends every held lease, learns which were lost, finishes waiting completions. */
  private renew(): Promise<void> {
    this.renewing ??= this.attempt(async (sql) => {
      const sent = this.clock.now();
      const mine = new Set<string>();
      const asked = [...this.held.keys()].sort();
      // By primary key only: row locks on this process's rows, none on others' or on gaps.
      for (const part of chunks(asked)) {
        await this.affected(sql.renew(part.length), [this.config.leaseMs * 1000, this.owner, ...part]);
        for (const r of await this.run(sql.mine(part.length), [this.owner, ...part])) mine.add(String(r.file));
      }
      for (const file of asked) {
        const h = this.held.get(file);
        // Claims taken while this ran were not asked about.
        if (h === undefined || h.takenAt >= sent) continue;
        if (mine.has(file)) h.validUntil = sent + this.config.leaseMs;
        else if (!this.unfinished.some((u) => u.claim === h.claim)) this.loseClaims([h.claim]);
      }
      await this.finishUnfinished();
      const rejected = await this.run(sql.rejected, [10]);
      this.recent = rejected.map((r) => ({ file: String(r.file), reason: String(r.reason) }));
      this.reachable();
    }).finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  /** Marks the waiting claims done, one transaction at a time; a deadlock is retried, then left to the next renewal. */
  private finishUnfinished(): Promise<void> {
    const run = this.finishing.then(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.finishBatch();
          return;
        } catch (error) {
          if (!isDeadlock(error)) throw error;
          if (attempt >= deadlockRetries) {
            this.log.warn({ err: errorMessage(error) }, 'hdfs claims: completion deadlocked, retried at the next renewal');
            return;
          }
        }
      }
    });
    this.finishing = run.catch(() => undefined);
    return run;
  }

  /** Marks the waiting claims done (with their reasons) in one transaction, for those still owned. */
  private async finishBatch(): Promise<void> {
    const batch = [...this.unfinished].sort((x, y) => (x.claim.file < y.claim.file ? -1 : 1));
    if (batch.length === 0) return;
    const sql = await this.statements();
    const conn = await this.pool.getConnection();
    const owned = new Set<string>();
    try {
      await conn.beginTransaction();
      for (const u of batch) {
        const [result] = await conn.query<mysql.ResultSetHeader>(this.timed(sql.finish), [u.reason, this.owner, u.claim.file]);
        if (result.affectedRows === 1) owned.add(u.claim.file);
      }
      await conn.commit();
    } catch (error) {
      await conn.rollback().catch(() => undefined);
      throw error;
    } finally {
      conn.release();
    }
    this.unfinished = this.unfinished.filter((u) => !batch.includes(u));
    for (const u of batch) if (this.held.get(u.claim.file)?.claim === u.claim) this.held.delete(u.claim.file);
    this.loseClaims(batch.map((u) => u.claim).filter((c) => !owned.has(c.file)), 'not marked done');
  }

  private loseClaims(claims: readonly Claim[], what = 'no longer held'): void {
    if (claims.length === 0) return;
    for (const c of claims) if (this.held.get(c.file)?.claim === c) this.held.delete(c.file);
    this.lost += claims.length;
    this.log.warn(
      { files: claims.map((c) => c.file), owner: this.owner },
      `hdfs claims lost: their leases expired and another process may have taken them (${what}; they are read again)`,
    );
  }

  /** Runs `work`; a connection error marks the store unreachable instead of failing the caller. */
  private async attempt(work: (sql: ReturnType<typeof claimStatements>) => Promise<void>): Promise<void> {
    try {
      await work(await this.statements());
      this.reachable();
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.fail(error);
    }
  }

  private async statements(): Promise<ReturnType<typeof claimStatements>> {
    if (this.sql !== undefined) return this.sql;
    const [rows] = await this.pool.query(this.timed('SELECT VERSION() AS v'));
    const version = String((rows as { v: string }[])[0]?.v ?? '');
    const sql = claimStatements(this.config.table, binaryCollation(version));
    await this.pool.query(this.timed(sql.create));
    this.sql = sql;
    return sql;
  }

  private async run(statement: string, params: readonly (string | number)[]): Promise<Record<string, unknown>[]> {
    const [rows] = await this.pool.query(this.timed(statement), [...params]);
    return rows as Record<string, unknown>[];
  }

  private async affected(statement: string, params: readonly (string | number)[]): Promise<number> {
    const [result] = await this.pool.query<mysql.ResultSetHeader>(this.timed(statement), [...params]);
    return result.affectedRows;
  }

  /** A statement that fails (as a lost connection) after `leaseMs`: a silent network cannot hang renewals. */
  private timed(sql: string): mysql.QueryOptions {
    return { sql, timeout: this.config.leaseMs };
  }

  private reachable(): void {
    if (this.unreachable === undefined) return;
    this.unreachable = undefined;
    this.backSince = this.clock.now();
    this.log.info({ table: this.config.table }, 'hdfs claims database reachable again: taking files');
  }

  private fail(error: unknown): void {
    if (this.unreachable === undefined) {
      this.log.warn(
        { table: this.config.table, err: errorMessage(error) },
        'hdfs claims database unreachable: no new files are taken, held files finish while their leases last',
      );
    }
    this.unreachable = errorMessage(error);
  }
}
