import { readFileSync } from 'node:fs';

/**
 * The Node flags `npm run topology` (and `npm start`) run millrace with, read from package.json,
 * so every benchmark measures what users run and the flags are set in one place.
 */
export const topologyFlags: readonly string[] = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts['topology']?.split(/\s+/) ?? [];
  const cli = words.indexOf('bin/millrace.js');
  if (words[0] !== 'node' || cli < 0) throw new Error(`package.json scripts.topology is not "node <flags> bin/millrace.js run": ${pkg.scripts['topology']}`);
  return words.slice(1, cli);
})();
