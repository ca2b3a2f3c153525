// Preloaded with `node --import`: at exit, prints which npm packages the process loaded, as
// `loaded packages: [...]` on stderr. ES modules are seen by a load hook (in the loader's own
// thread, so they are passed on through a file), CommonJS ones in require's cache.
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { tmpdir } from 'node:os';
import process from 'node:process';
import { join } from 'node:path';

const esmList = join(tmpdir(), `millrace-loaded-${process.pid}.txt`);
register('./loaded-packages-hooks.mjs', import.meta.url, { data: { esmList } });
appendFileSync(esmList, '');

const packageOf = (path) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];

process.on('exit', () => {
  const names = new Set();
  for (const file of Object.keys(createRequire(import.meta.url).cache)) names.add(packageOf(file));
  for (const url of readFileSync(esmList, 'utf8').split('\n')) names.add(packageOf(url));
  rmSync(esmList, { force: true });
  names.delete(undefined);
  process.stderr.write(`loaded packages: ${JSON.stringify([...names].sort())}\n`);
});
