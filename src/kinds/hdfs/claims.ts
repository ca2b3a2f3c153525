import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FileEntry } from '../../stores/backend.js';
import type { Json } from '../../streams/record.js';
import { fileId, type Candidates, type Claim, type ClaimStore } from './claim-store.js';

/**
 * The claims of one process: who works on which file, and which files are finished. In-flight claims live in memory (a
 * claim dies with its process, so a restart re-reads what was in flight); finished files are
 * rows of a SQLite table `done(file, size, mtime, reason)` in WAL mode, keyed by file id. A file
 * counts as done only for the size and mtime it was read at, so a replaced file is read again.
 *
 * Why SQLite rather than an append-only file: a long-running watch accumulates a row per file
 * forever; an indexed table answers "done?" per listed file without holding every id in memory,
 * replaces a row in place when a file is re-read, and needs no compaction. `synchronous=NORMAL`
 * in WAL mode survives a process crash; a power loss may forget the last few done marks, which
 * only means re-reading those files (at-least-once; the database downstream is idempotent).
 *
 * @example
 * const claims = new ClaimTable('/data/state/hdfs');
 * const c = await claims.claim('a', { path: 'x.gz', size: 10, mtime: 1 }, 0);
 * if (c) await claims.complete([c]); // now claims.isDone('a:x.gz', 10, 1) === true
 */
export class ClaimTable implements ClaimStore {
  private readonly db: Database.Database;
  private readonly inFlight = new Map<string, Claim>();
  private readonly lookup: Database.Statement<[string, number, number], unknown>;
  private readonly upsert: Database.Statement<[string, number, number, string | null, number]>;

  constructor(stateDir: string) {
    mkdirSync(stateDir, { recursive: true });
    this.db = new Database(join(stateDir, 'files.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS done (
      file TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL, reason TEXT, at INTEGER NOT NULL
    ) WITHOUT ROWID`);
    this.lookup = this.db.prepare('SELECT 1 FROM done WHERE file = ? AND size = ? AND mtime = ?');
    this.upsert = this.db.prepare(
      'INSERT OR REPLACE INTO done (file, size, mtime, reason, at) VALUES (?, ?, ?, ?, ?)',
    );
  }

  /** Whether this version of the file was finished (read and acked, or rejected). */
  isDone(file: string, size: number, mtime: number): boolean {
    return this.lookup.get(file, size, mtime) !== undefined;
  }

  candidates(cluster: string, entries: readonly FileEntry[]): Promise<Candidates> {
    const free = entries.filter((e) => {
      const id = fileId(cluster, e.path);
      return !this.inFlight.has(id) && !this.isDone(id, e.size, e.mtime);
    });
    return Promise.resolve({ free, waiting: 0 });
  }

  claim(cluster: string, entry: FileEntry, slot: number): Promise<Claim | undefined> {
    return Promise.resolve(this.claimNow(cluster, entry, slot));
  }

  holds(claim: Claim): boolean {
    return this.inFlight.get(claim.file) === claim;
  }

  confirm(claim: Claim): Promise<boolean> {
    return Promise.resolve(this.holds(claim));
  }

  private claimNow(cluster: string, entry: FileEntry, slot: number): Claim | undefined {
    const file = fileId(cluster, entry.path);
    if (this.inFlight.has(file) || this.isDone(file, entry.size, entry.mtime)) return undefined;
    const claim: Claim = { file, cluster, entry, slot };
    this.inFlight.set(file, claim);
    return claim;
  }

  release(claim: Claim): Promise<void> {
    this.drop(claim);
    return Promise.resolve();
  }

  complete(claims: readonly Claim[]): Promise<readonly Claim[]> {
    const now = Date.now();
    this.db.transaction(() => {
      for (const c of claims) this.upsert.run(c.file, c.entry.size, c.entry.mtime, null, now);
    })();
    for (const c of claims) this.drop(c);
    return Promise.resolve(claims);
  }

  reject(claim: Claim, reason: string): Promise<void> {
    this.upsert.run(claim.file, claim.entry.size, claim.entry.mtime, reason, Date.now());
    this.drop(claim);
    return Promise.resolve();
  }

  private drop(claim: Claim): void {
    if (this.inFlight.get(claim.file) === claim) this.inFlight.delete(claim.file);
  }

  inFlightFor(cluster: string): number {
    let n = 0;
    for (const c of this.inFlight.values()) if (c.cluster === cluster) n += 1;
    return n;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Rejected files with their reasons, newest first. */
  rejected(limit: number): { file: string; reason: string }[] {
    return this.db
      .prepare('SELECT file, reason FROM done WHERE reason IS NOT NULL ORDER BY at DESC LIMIT ?')
      .all(limit) as { file: string; reason: string }[];
  }

  view(): { [key: string]: Json } {
    return { shared: false };
  }

  close(): Promise<void> {
    this.inFlight.clear();
    this.db.close();
    return Promise.resolve();
  }
}
