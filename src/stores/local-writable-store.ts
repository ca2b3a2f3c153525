import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NotConnected } from '../core/errors.js';
import type { StoredFile, WritableStore } from './writable.js';

/** Errors that mean the directory itself is unavailable (missing mount, full or dead disk). */
const UNAVAILABLE = new Set(['EIO', 'ENOSPC', 'EDQUOT', 'ESTALE', 'ENOTCONN', 'EHOSTDOWN', 'ETIMEDOUT', 'EROFS']);

/**
 * A local directory as a {@link WritableStore}: a put writes and fsyncs the file, a rename is
 * rename(2). A full disk or a dead mount is `NotConnected` (retried with backoff, nothing acked).
 *
 * @example
 * const store = new LocalWritableStore('/data/warehouse');
 * await store.put('t/.x.inprogress', bytes, signal);
 * await store.rename('t/.x.inprogress', 't/x.parquet', signal);
 */
export class LocalWritableStore implements WritableStore {
  readonly where: string;

  constructor(private readonly root: string) {
    this.where = `local ${root}`;
  }

  async put(path: string, bytes: Uint8Array, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const file = join(this.root, path);
    await this.io(async () => {
      await mkdir(dirname(file), { recursive: true });
      const handle = await open(file, 'w');
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  async rename(from: string, to: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    await this.io(() => rename(join(this.root, from), join(this.root, to)));
  }

  async remove(path: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    await this.io(() => rm(join(this.root, path), { force: true }));
  }

  async exists(path: string, signal: AbortSignal): Promise<boolean> {
    signal.throwIfAborted();
    return this.io(() =>
      stat(join(this.root, path)).then(
        () => true,
        (error: unknown) => {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
          throw error;
        },
      ),
    );
  }

  async readFile(path: string, signal: AbortSignal): Promise<Uint8Array> {
    return this.io(() => readFile(join(this.root, path), { signal }));
  }

  async listFiles(dir: string, signal: AbortSignal): Promise<StoredFile[]> {
    const base = join(this.root, dir);
    const entries = await this.io(() =>
      readdir(base, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }),
    );
    const out: StoredFile[] = [];
    for (const e of entries) {
      signal.throwIfAborted();
      if (!e.isFile()) continue;
      const full = join(e.parentPath, e.name);
      const info = await stat(full).catch(() => undefined);
      if (info !== undefined) out.push({ path: full.slice(this.root.length + 1).split('\\').join('/'), size: info.size });
    }
    return out;
  }

  private async io<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== undefined && UNAVAILABLE.has(code)) throw new NotConnected(`${this.where}: ${code}: ${(error as Error).message}`, { cause: error });
      throw error;
    }
  }
}
