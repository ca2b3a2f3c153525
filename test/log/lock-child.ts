// Child process for the directory-lock race test: waits for the go file, takes the lock of the
// directory once, prints `held` or `locked <pid>`, then keeps what it took until stdin ends
// (a winner that exited early would let the next one in and hide a double hold).
import { existsSync } from 'node:fs';
import { acquireDirLock } from '../../src/log/dir-lock.js';
import { LogLocked } from '../../src/log/errors.js';

const [dir, go] = process.argv.slice(2) as [string, string];
process.stdout.write('ready\n');
while (!existsSync(go)) await new Promise((r) => setTimeout(r, 2));
try {
  await acquireDirLock(dir);
  process.stdout.write('held\n');
} catch (error) {
  if (!(error instanceof LogLocked)) throw error;
  process.stdout.write(`locked ${/pid (-?\d+)/.exec(error.message)?.[1]}\n`);
}
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
