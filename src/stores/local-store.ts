import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NotConnected } from '../core/errors.js';
import {
  FileChanged,
  FileGone,
  FileRejected,
  pathMatcher,
  walkBases,
  type FileEntry,
  type FileStore,
  type PathFilter,
} from './backend.js';
import { walkFiles } from './local-walk.js';

/** Errors that mean the directory itself is unavailable (missing mount, dead network filesystem). */
const UNAVAILABLE = new Set([
  'ENOENT',
  'ENOTDIR',
  'EIO',
  'ESTALE',
  'ENOTCONN',
  'EHOSTDOWN',
  'ETIMEDOUT',
]);

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * A local directory as a {@link FileStore}: the embedded default, and what a mounted or NFS
 * directory looks like. A root that is missing or unreadable counts as not connected, so a
 * cluster whose mount is gone lends its pollers like an unreachable HDFS. Below the root, an
 * entry that cannot be read (a directory without permission, a symlink loop) is listed with the
 * reason and rejected when read (see {@link walkFiles}), and the rest of the tree is listed.
 *
 * @example
 * const store = new LocalStore('/data/logs', { paths: ['**\/*.gz'], ignore: [] });
 * const files = await store.list(AbortSignal.timeout(5000));
 */
export class LocalStore implements FileStore {
  readonly where: string;
  private readonly matches: (path: string) => boolean;
  private readonly bases: string[];

  constructor(
    private readonly root: string,
    filter: PathFilter,
    private readonly followSymlinks = true,
  ) {
    this.where = `local ${root}`;
    this.matches = pathMatcher(filter);
    this.bases = walkBases(filter.paths);
  }

  async probe(): Promise<void> {
    let info;
    try {
      info = await stat(this.root);
    } catch (error) {
      throw this.unavailable(error);
    }
    if (!info.isDirectory()) throw new NotConnected(`${this.where} is not a directory`);
  }

  async list(signal: AbortSignal): Promise<FileEntry[]> {
    await this.probe();
    const out: FileEntry[] = [];
    for (const base of this.bases) {
      try {
        for await (const found of walkFiles(this.root, base, this.followSymlinks)) {
          signal.throwIfAborted();
          // An entry that cannot be read is listed whatever the globs: files it hides may match.
          if ('unreadable' in found || this.matches(found.path)) out.push(found);
        }
      } catch (error) {
        // Only the root or a base not being listable ends the listing: the cluster is unavailable.
        if (signal.aborted) throw error;
        throw this.unavailable(error);
      }
    }
    return out;
  }

  async read(entry: FileEntry, signal: AbortSignal): Promise<Uint8Array> {
    if (entry.unreadable !== undefined) throw new FileRejected(entry.path, entry.unreadable);
    let handle;
    try {
      handle = await open(join(this.root, entry.path), 'r');
    } catch (error) {
      throw this.fileError(entry.path, error);
    }
    try {
      const info = await handle.stat();
      if (info.size !== entry.size || Math.trunc(info.mtimeMs) !== entry.mtime) {
        throw new FileChanged(
          entry.path,
          `now ${info.size} bytes, mtime ${Math.trunc(info.mtimeMs)}`,
        );
      }
      // One byte more than listed, to notice a file appended to between the stat and the read.
      const bytes = Buffer.allocUnsafeSlow(entry.size + 1);
      let filled = 0;
      for (;;) {
        signal.throwIfAborted();
        const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
        if (filled > entry.size)
          throw new FileChanged(entry.path, `grew past ${entry.size} bytes while read`);
      }
      if (filled !== entry.size)
        throw new FileChanged(entry.path, `read ${filled} of ${entry.size} bytes`);
      return bytes.subarray(0, filled);
    } catch (error) {
      if (error instanceof FileChanged || signal.aborted) throw error;
      throw this.fileError(entry.path, error);
    } finally {
      await handle.close();
    }
  }

  private unavailable(error: unknown): Error {
    const c = code(error);
    if (c !== undefined && (UNAVAILABLE.has(c) || c === 'EACCES'))
      return new NotConnected(`${this.where}: ${c}`, { cause: error });
    return error instanceof Error ? error : new Error(String(error));
  }

  private fileError(path: string, error: unknown): Error {
    const c = code(error);
    if (c === 'ENOENT') return new FileGone(path);
    if (c === 'EACCES' || c === 'EPERM' || c === 'EISDIR')
      return new FileRejected(path, `cannot read: ${c}`);
    return this.unavailable(error);
  }
}
