import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import { findByIdentity, findCopy } from './copy-finder.js';
import { holds, identityKey, isMissing, statPath } from './fingerprint.js';
import type { FileEntry, PositionBook } from './positions.js';
import { TailedFile, type TailLine } from './tailed-file.js';

/** Counters shown by the source's status. */
export interface TailCounters {
  /** Files replaced at their path (rename rotation) or renamed away. */
  rotations: number;
  /** Files found shorter than the read position (copytruncate), while followed or while stopped. */
  truncations: number;
  /** Truncated files whose copy was found and read on from the truncation point. */
  copiesFollowed: number;
}

/**
 * The set of files the tail mode follows, keyed by identity (`device:inode`): which file to open
 * at which offset, renames (a renamed file keeps its position), rotations (the old file drains
 * while the new one at its path is followed from 0), truncations (go on in the copy, restart at
 * 0), and files rotated while the collector was stopped. Changes to the position book made here
 * (newly followed files, truncations, forgotten files) are reported through `onBookChange`.
 */
export class FollowedFiles {
  readonly files = new Map<string, TailedFile>();
  readonly counters: TailCounters = { rotations: 0, truncations: 0, copiesFollowed: 0 };
  /** Files closed after draining: where they were read to, until that is committed. */
  private readonly finished = new Map<string, FileEntry>();
  /** Matched paths that could not be opened, warned about once. */
  private readonly unreadable = new Set<string>();

  constructor(
    private readonly book: PositionBook,
    private readonly maxLineBytes: number,
    private readonly log: Logger,
    /**
     * The position book changed; `durable`: write it to disk before any line goes out under it (a
     * newly followed or truncated file: a new stream, see PositionBook.streamOf).
     */
    private readonly onBookChange: (durable?: boolean) => void,
  ) {}

  /**
   * At start: files of the position book that the globs no longer match were rotated while the
   * collector was stopped. Each is looked for (by identity) in its directory and, if it has unread
   * bytes, read to its end from its committed offset; otherwise it is forgotten.
   */
  async recoverUnmatched(matchedPaths: readonly string[], now: number): Promise<void> {
    const matched = new Set<string>();
    for (const path of matchedPaths) {
      const s = await statPath(path).catch(() => undefined);
      if (s !== undefined) matched.add(identityKey(s));
    }
    for (const [key, entry] of [...this.book.committed]) {
      if (matched.has(key)) continue;
      const found = await findByIdentity(dirname(entry.path), key);
      const handle = found === undefined ? undefined : await this.openAs(found.path, key);
      if (found === undefined || handle === undefined) {
        this.forget(key);
        continue;
      }
      if (found.size > entry.offset && (await holds(handle, entry.head, entry.offset, entry.mark))) {
        const f = await this.adopt(handle, key, found.path, entry.offset, now);
        f.draining = true;
        this.log.info({ file: found.path, was: entry.path, offset: entry.offset }, 'reading the rest of a file rotated while stopped');
      } else {
        await handle.close();
        this.forget(key);
      }
    }
  }

  /**
   * Follows the file now at `path` (matched by the globs), unless it is followed already, in which
   * case only its path is updated. Returns its identity, or undefined when nothing is there.
   */
  async follow(path: string, now: number): Promise<string | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      // Unreadable (permissions, too many open files): skipped, and tried again at the next scan.
      if (!this.unreadable.has(path)) this.log.warn({ file: path, err: errorMessage(error) }, 'cannot open file: skipping it for now');
      this.unreadable.add(path);
      return undefined;
    }
    this.unreadable.delete(path);
    const s = await handle.stat({ bigint: true });
    const key = identityKey(s);
    const followed = this.files.get(key);
    if (!s.isFile() || followed !== undefined) {
      await handle.close();
      if (followed !== undefined && followed.path !== path) {
        this.log.info({ file: path, was: followed.path }, 'file renamed: following it under its new name');
        followed.path = path;
      }
      return s.isFile() ? key : undefined;
    }
    for (const other of this.files.values()) if (other.path === path && !other.draining) this.rotated(other, 'another file took its path');
    const offset = await this.startOffset(handle, key, path, Number(s.size), now);
    const f = await this.adopt(handle, key, path, offset, now);
    this.log.info({ file: path, offset: f.position }, 'following file');
    return key;
  }

  /**
   * Checks that a file not yet draining is still at its path: another file there means it was
   * rotated by rename (the new one is followed too); no link left means it was deleted. A file
   * renamed with nothing new at its path yet is still written to: it is followed where it is.
   */
  async checkPath(f: TailedFile, now: number): Promise<void> {
    if (f.draining) return;
    const s = await statPath(f.path);
    if (s !== undefined && identityKey(s) === f.key) return;
    if (s !== undefined) {
      this.rotated(f, 'another file took its path');
      await this.follow(f.path, now);
    } else if (await f.isDeleted()) {
      f.draining = true;
      this.log.info({ file: f.path }, 'file deleted: reading it to its end');
    }
  }

  /**
   * A followed file was truncated under its read position. Reading goes on in its copy from the
   * same offset when a copy is found (the lines written before the copy was made are not lost);
   * the file itself starts again at 0. Returns the held partial line when there is no copy.
   */
  async truncated(f: TailedFile, now: number): Promise<TailLine[]> {
    this.counters.truncations += 1;
    const { head, mark } = f.fingerprints();
    const copy = await findCopy(dirname(f.path), this.knownKeys(), f.position, head, mark);
    const handle = copy === undefined ? undefined : await this.openAs(copy.path, copy.key);
    if (copy === undefined || handle === undefined) {
      this.log.warn({ file: f.path, offset: f.position }, 'file truncated and no copy of it found: starting again at offset 0 (lines written after the last read and before the truncation are lost)');
      const partial = f.flushPartial();
      this.book.truncated(f.key, f.path);
      f.restart(this.maxLineBytes);
      this.onBookChange(true);
      return partial;
    }
    this.log.warn({ file: f.path, offset: f.position, copy: copy.path }, 'file truncated (copytruncate): reading on in its copy, and the file again from offset 0');
    const c = TailedFile.continuing(handle, copy.key, copy.path, f.handOver(this.maxLineBytes), now);
    c.draining = true;
    this.files.set(c.key, c);
    this.book.truncated(f.key, f.path, copy);
    this.counters.copiesFollowed += 1;
    this.onBookChange(true);
    return [];
  }

  /** Closes a drained file; its position is forgotten once what was read of it is committed. */
  async finish(f: TailedFile): Promise<TailLine[]> {
    this.files.delete(f.key);
    const lines = await f.finish();
    this.finished.set(f.key, f.entry());
    this.log.info({ file: f.path, offset: f.position }, 'finished rotated file');
    return lines;
  }

  /**
   * Forgets positions of files neither followed nor matched by the globs (`matched`): closed after
   * draining and fully committed, or gone.
   */
  prune(matched: ReadonlySet<string>): void {
    for (const [key, entry] of [...this.book.committed]) {
      if (this.files.has(key) || matched.has(key)) continue;
      const done = this.finished.get(key);
      if (done === undefined || entry.offset >= done.offset) this.forget(key);
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.files.values()].map((f) => f.close()));
    this.files.clear();
  }

  /** Where a newly followed file starts: its committed offset if it still holds those bytes, else 0. */
  private async startOffset(handle: FileHandle, key: string, path: string, size: number, now: number): Promise<number> {
    const entry = this.finished.get(key) ?? this.book.committed.get(key);
    this.finished.delete(key);
    if (entry === undefined) return 0;
    if (size >= entry.offset && (await holds(handle, entry.head, entry.offset, entry.mark))) return entry.offset;
    this.counters.truncations += 1;
    const copy = await findCopy(dirname(path), this.knownKeys(key), entry.offset, entry.head, entry.mark);
    const copyHandle = copy === undefined ? undefined : await this.openAs(copy.path, copy.key);
    if (copy === undefined || copyHandle === undefined) {
      this.log.warn({ file: path, offset: entry.offset }, 'file truncated or replaced while not followed, and no copy found: reading it from offset 0');
      this.book.truncated(key, path);
      this.onBookChange(true);
      return 0;
    }
    this.log.warn({ file: path, offset: entry.offset, copy: copy.path }, 'file truncated while not followed: reading on in its copy, and the file from offset 0');
    this.book.truncated(key, path, copy);
    const c = await this.adopt(copyHandle, copy.key, copy.path, entry.offset, now);
    c.draining = true;
    this.counters.copiesFollowed += 1;
    this.onBookChange(true);
    return 0;
  }

  private async adopt(handle: FileHandle, key: string, path: string, offset: number, now: number): Promise<TailedFile> {
    try {
      const f = await TailedFile.at(handle, key, path, offset, this.maxLineBytes, now);
      this.files.set(key, f);
      if (this.book.register(key, f.entry())) this.onBookChange(true);
      return f;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Opens `path` if it still is the file with identity `key`. */
  private async openAs(path: string, key: string): Promise<FileHandle | undefined> {
    const handle = await open(path, 'r').catch(() => undefined);
    if (handle === undefined) return undefined;
    if (identityKey(await handle.stat({ bigint: true })) === key) return handle;
    await handle.close();
    return undefined;
  }

  private rotated(f: TailedFile, why: string): void {
    f.draining = true;
    this.counters.rotations += 1;
    this.log.info({ file: f.path, why }, 'file rotated: reading the old file to its end');
  }

  private knownKeys(also?: string): Set<string> {
    const keys = new Set([...this.files.keys(), ...this.book.committed.keys()]);
    if (also !== undefined) keys.add(also);
    return keys;
  }

  private forget(key: string): void {
    this.book.forget(key);
    this.finished.delete(key);
    this.onBookChange();
  }
}
