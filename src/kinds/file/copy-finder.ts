import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { holds, identityKey, isMissing, statPath, type Fingerprint } from './fingerprint.js';

/** A file found by its identity or its content. */
export interface Found {
  path: string;
  key: string;
  size: number;
}

/** Regular files in `dir` with their identities (none when the directory is gone). */
async function filesIn(dir: string): Promise<Found[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const found: Found[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const s = await statPath(path).catch(() => undefined);
    if (s?.isFile()) found.push({ path, key: identityKey(s), size: Number(s.size) });
  }
  return found;
}

/**
 * Where the file with identity `key` now is in `dir`, if anywhere: a file renamed by rotation
 * while nobody followed it.
 */
export async function findByIdentity(dir: string, key: string): Promise<Found | undefined> {
  return (await filesIn(dir)).find((f) => f.key === key);
}

/**
 * The copy a `copytruncate` rotation made of a file before truncating it: a file in `dir`, not one
 * of `known`, at least `offset` bytes long, whose first bytes match `head` and whose bytes just
 * before `offset` match `mark`. The copy holds the same bytes at the same offsets, so reading can
 * go on in it from `offset`. When several match (an older copy that happens to agree), the newest
 * wins.
 */
export async function findCopy(dir: string, known: ReadonlySet<string>, offset: number, head: Fingerprint, mark: Fingerprint): Promise<Found | undefined> {
  if (head.len === 0 && mark.len === 0) return undefined;
  const matches: { found: Found; mtimeMs: number }[] = [];
  for (const f of await filesIn(dir)) {
    if (known.has(f.key) || f.size < offset) continue;
    const handle = await open(f.path, 'r').catch(() => undefined);
    if (handle === undefined) continue;
    try {
      if (await holds(handle, head, offset, mark)) matches.push({ found: f, mtimeMs: (await handle.stat()).mtimeMs });
    } finally {
      await handle.close();
    }
  }
  matches.sort((a, b) => b.mtimeMs - a.mtimeMs);
  return matches[0]?.found;
}
