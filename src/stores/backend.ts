import { posix } from 'node:path';
import picomatch from 'picomatch';

/** A file found by a listing. */
export interface FileEntry {
  /** Path relative to the store's root, `/`-separated, no leading slash. */
  readonly path: string;
  readonly size: number;
  /** Modification time, integer ms since the epoch. */
  readonly mtime: number;
  /** Why this entry cannot be read (a directory without permission...): reading it is rejected. */
  readonly unreadable?: string;
}

/**
 * What the `hdfs` source needs from a file store: a recursive, glob-filtered listing, whole-file
 * reads and a cheap reachability probe. Every method throws `NotConnected` when the store cannot
 * be reached (refused, timed out, server error), {@link FileGone} when a listed file has vanished
 * and {@link FileRejected} for a file that will never be readable as it is.
 *
 * @example
 * const store = new LocalStore('/var/log/app', { paths: ['**\/*.gz'], ignore: [] });
 * for (const f of await store.list(signal)) console.log(f.path, await store.read(f, signal));
 */
export interface FileStore {
  /** Human-readable location for logs, e.g. `webhdfs http://nn:9870/logs`. */
  readonly where: string;
  list(signal: AbortSignal): Promise<FileEntry[]>;
  /** The whole file; {@link FileChanged} when it is no longer the listed size (never reads past it). */
  read(entry: FileEntry, signal: AbortSignal): Promise<Uint8Array>;
  /** Resolves when the root can be read. */
  probe(signal: AbortSignal): Promise<void>;
}

/** A listed file no longer exists. */
export class FileGone extends Error {
  constructor(path: string) {
    super(`${path} no longer exists`);
    this.name = 'FileGone';
  }
}

/** A listed file changed (size or mtime) since it was listed: the next listing sees the new one. */
export class FileChanged extends Error {
  constructor(path: string, detail: string) {
    super(`${path} changed since it was listed: ${detail}`);
    this.name = 'FileChanged';
  }
}

/** A file that cannot be read as it is (permissions, too large): it is recorded with the reason, not retried. */
export class FileRejected extends Error {
  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'FileRejected';
  }
}

/** Which relative paths a cluster's `paths` and `ignore` globs select. */
export interface PathFilter {
  readonly paths: readonly string[];
  readonly ignore: readonly string[];
}

/** A predicate over relative paths for a {@link PathFilter}. */
export function pathMatcher(filter: PathFilter): (path: string) => boolean {
  const take = picomatch([...filter.paths]);
  const skip =
    filter.ignore.length > 0 ? picomatch([...filter.ignore], { dot: true }) : () => false;
  return (path) => take(path) && !skip(path);
}

/**
 * The directories a listing must walk for these globs: the static prefix of each pattern
 * (`logs/2026/*.gz` → `logs/2026`, `logs/a.gz` → `logs`), without those inside another one.
 * `''` is the root.
 */
export function walkBases(paths: readonly string[]): string[] {
  const baseOf = (p: string): string => {
    const scan = picomatch.scan(p);
    const dir = scan.isGlob ? scan.base : posix.dirname(scan.base);
    return dir === '.' ? '' : dir.replace(/^\/+|\/+$/g, '');
  };
  const bases = [...new Set(paths.map(baseOf))].sort();
  return bases.filter((b) => !bases.some((o) => o !== b && (o === '' || b.startsWith(`${o}/`))));
}
