import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { LogLocked } from './errors.js';
import { isErrno } from './fs-util.js';

const LOCK_FILE = '.lock';
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

/**
 * Takes the single-writer lock of a log directory: a `.lock` file holding
 * the owner's pid. A lock whose pid is dead (e.g. after kill -9) is taken
 * over. Returns the release function.
 */
export async function acquireDirLock(dir: string): Promise<() => Promise<void>> {
  const abs = path.resolve(dir);
  if (heldHere.has(abs)) throw new LogLocked(abs, process.pid);
  const file = path.join(abs, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, 'wx');
      try {
        await fh.writeFile(String(process.pid));
      } finally {
        await fh.close();
      }
      heldHere.add(abs);
      return async () => {
        heldHere.delete(abs);
        await rm(file, { force: true });
      };
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    // Our own pid here means a previous incarnation of this pid (not in heldHere), so it is stale too.
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw new LogLocked(abs, owner);
    }
    await rm(file, { force: true });
  }
  throw new LogLocked(abs, -1);
}
