import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Writes a benchmark's result as JSON: to `bench/results/<name>.json` when `resultsPath` is
 * undefined, to `resultsPath` when given, nowhere when null.
 */
export async function saveResult(name: string, result: unknown, resultsPath: string | null | undefined): Promise<void> {
  const out = resultsPath === undefined ? fileURLToPath(new URL(`./results/${name}.json`, import.meta.url)) : resultsPath;
  if (out === null) return;
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(result, null, 2) + '\n');
}

/** `--name=value` or `--name value` from the command line (use `=` under `npm run bench`, whose bench names are the other words). */
export function arg(name: string): string | undefined {
  const argv = process.argv;
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  if (eq !== undefined) return eq.slice(name.length + 3);
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** The number given as `--<name> <n>` or `--<name>=<n>` on the command line, if there is a valid one. */
export function numberArg(name: string): number | undefined {
  const v = Number(arg(name) ?? NaN);
  return Number.isFinite(v) ? v : undefined;
}

/** Whether the module at `moduleUrl` is the script node was started with (not imported). */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(moduleUrl);
}

/** The median of `xs` (the upper middle of an even count; NaN when empty). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}
