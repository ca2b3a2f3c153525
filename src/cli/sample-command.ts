import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeSample } from '../sample/write-sample.js';
import { ExitCode } from './exit-codes.js';

/** Options of `millrace sample`, as parsed from the command line. */
export interface SampleCommandOptions {
  dir?: string;
  files?: string;
  ifMissing?: boolean;
}

/**
 * `millrace sample [--dir data/sample] [--files N] [--if-missing]`: writes the sample log files
 * and MANIFEST.json; with --if-missing, does nothing when MANIFEST.json already exists.
 *
 * @example
 * await sampleCommand({ dir: 'data/sample', files: '40' }); // ExitCode.ok
 */
export async function sampleCommand(options: SampleCommandOptions): Promise<number> {
  const dir = resolve(options.dir ?? 'data/sample');
  const files = options.files === undefined ? 2000 : Number(options.files);
  if (!Number.isInteger(files) || files < 1) {
    process.stderr.write(`--files must be a positive integer, got ${options.files}\n`);
    return ExitCode.invalid;
  }
  if (options.ifMissing === true && existsSync(join(dir, 'MANIFEST.json'))) {
    process.stdout.write(`${dir}: sample exists (MANIFEST.json), nothing to do\n`);
    return ExitCode.ok;
  }
  const started = performance.now();
  const manifest = await writeSample({ dir, files });
  const { totals } = manifest;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `${dir}: ${totals.files} files in ${manifest.roots.length} roots, ${totals.lines} lines ` +
      `(${totals.goodLines} good, ${totals.unparseableLines} unparseable, ${totals.damagedFiles} damaged files), ${seconds}s\n`,
  );
  return ExitCode.ok;
}
