import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A file, or an entry the walk could not read (an unreadable directory, a symlink loop). */
export type Walked =
  | { path: string; size: number; mtime: number }
  | { path: string; size: 0; mtime: number; unreadable: string };

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? String(error);
}

/**
 * Every file below `root/base` (paths relative to `root`, `/`-separated), depth first. A directory
 * that cannot be listed (EACCES) or a symlink that cannot be resolved (ELOOP) is yielded with
 * `unreadable` set, and the walk goes on with the rest of the tree. Symlinks to directories are
 * followed once per real directory (device and inode), so `self -> .` or `up -> ..` cannot loop;
 * with `followSymlinks` false they are not followed at all (symlinks to files are still read).
 * `base` itself missing yields nothing; that `base` (or the root) cannot be listed for any other
 * reason is thrown, for the caller to judge.
 */
export async function* walkFiles(root: string, base: string, followSymlinks: boolean): AsyncGenerator<Walked> {
  const seen = new Set<string>();
  const top = await stat(join(root, base)).catch((error: unknown) => {
    if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') return undefined;
    throw error;
  });
  if (top === undefined || !top.isDirectory()) return;
  seen.add(`${top.dev}:${top.ino}`);
  const pending: string[] = [base];
  let first = true;
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    let entries;
    try {
      entries = await readdir(join(root, dir), { withFileTypes: true });
    } catch (error) {
      if (first) throw error;
      const info = await stat(join(root, dir)).catch(() => undefined);
      yield { path: dir, size: 0, mtime: Math.trunc(info?.mtimeMs ?? 0), unreadable: `cannot list directory: ${code(error)}` };
      continue;
    } finally {
      first = false;
    }
    for (const entry of entries) {
      const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isFile()) {
        const info = await stat(join(root, rel)).catch(() => undefined);
        if (info !== undefined) yield { path: rel, size: info.size, mtime: Math.trunc(info.mtimeMs) };
        continue;
      }
      if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
      let info;
      try {
        info = await stat(join(root, rel));
      } catch (error) {
        if (code(error) === 'ENOENT') continue; // a dangling symlink, or gone since the listing
        yield { path: rel, size: 0, mtime: 0, unreadable: `cannot resolve: ${code(error)}` };
        continue;
      }
      if (info.isFile()) {
        yield { path: rel, size: info.size, mtime: Math.trunc(info.mtimeMs) };
        continue;
      }
      if (!info.isDirectory() || (entry.isSymbolicLink() && !followSymlinks)) continue;
      const id = `${info.dev}:${info.ino}`;
      if (seen.has(id)) continue;
      seen.add(id);
      pending.push(rel);
    }
  }
}
