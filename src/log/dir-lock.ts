import { link, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { LogLocked } from './errors.js';
import { isErrno } from './fs-util.js';

/**
 * Lock generations: `.lock.<n>`, each holding its owner's pid (or {@link RELEASED}). The owner of
 * the highest generation holds the lock while its pid lives.
 */
const GENERATION = /^\.lock\.(\d+)$/;
const RELEASED = 'released';
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

async function generations(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names.flatMap((name) => {
    const m = GENERATION.exec(name);
    return m === null ? [] : [Number(m[1])];
  });
}

const generationFile = (dir: string, n: number): string => path.join(dir, `.lock.${n}`);

/** A file named `file` holding `text` from the moment it exists; false if `file` existed. */
async function createWhole(file: string, text: string): Promise<boolean> {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fh = await open(tmp, 'wx');
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, file); // fails if `file` exists: the one atomic test-and-create
    return true;
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Takes the single-writer lock of a log directory; returns the release function. Throws
 * {@link LogLocked} naming the owner's pid when a live process holds it.
 *
 * The lock is a generation number that only grows, so no process ever removes a lock that
 * another may hold. A process reads the highest generation `n`: if its owner lives, the directory
 * is locked; if it is dead (kill -9) or released, the process creates generation `n + 1` with its
 * pid (an exclusive link: of all that saw `n` stale, one wins), then checks that no higher
 * generation appeared meanwhile (one may, if a slow process created `n + 1` after generations up
 * to it had been cleaned up); if one did, it withdraws. The holder removes the generations below
 * its own, and on release marks its own released (kept, so the highest never goes down).
 */
export async function acquireDirLock(dir: string): Promise<() => Promise<void>> {
  const abs = path.resolve(dir);
  if (heldHere.has(abs)) throw new LogLocked(abs, process.pid);
  for (;;) {
    const highest = Math.max(0, ...(await generations(abs)));
    if (highest > 0) {
      const owner = await readFile(generationFile(abs, highest), 'utf8').catch((err: unknown) => {
        if (isErrno(err, 'ENOENT')) return undefined; // withdrawn meanwhile: look again
        throw err;
      });
      if (owner === undefined) continue;
      const pid = Number(owner);
      // Our own pid here means a previous incarnation of this pid (not in heldHere), so it is stale too.
      if (owner !== RELEASED && Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new LogLocked(abs, pid);
      }
    }
    const mine = highest + 1;
    const file = generationFile(abs, mine);
    if (!(await createWhole(file, String(process.pid)))) continue;
    const all = await generations(abs);
    if (all.some((n) => n > mine)) {
      await rm(file, { force: true });
      continue;
    }
    for (const n of all) if (n < mine) await rm(generationFile(abs, n), { force: true });
    heldHere.add(abs);
    return async () => {
      heldHere.delete(abs);
      const tmp = `${file}.tmp-${process.pid}-released`;
      await rm(tmp, { force: true });
      await open(tmp, 'w').then(async (fh) => {
        await fh.writeFile(RELEASED);
        await fh.close();
      });
      await rename(tmp, file);
    };
  }
}
