import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const childScript = fileURLToPath(new URL('./tail-child.ts', import.meta.url));

/** A millrace process running a topology file (see tail-child.ts). */
export interface TailProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Starts a millrace process on `topologyFile` and resolves once its topology runs. */
export async function startTailProcess(topologyFile: string): Promise<TailProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, topologyFile], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  await new Promise<void>((ok, fail) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('started') && ok());
    void exited.then((code) => fail(new Error(`child exited (${code}) before starting: ${stderr}`)));
  });
  return { child, exited };
}

/** Kills the process with SIGKILL and waits until it is gone. */
export async function killHard(p: TailProcess): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
}

/**
 * Writes `<dir>/topology.yaml`, a file source in tail mode with `settings` (its YAML flow
 * mapping entries) into a file sink writing `<dir>/out.txt` as lines; returns its path.
 */
export function tailToFileTopology(dir: string, settings: string): string {
  const file = join(dir, 'topology.yaml');
  writeFileSync(
    file,
    ['dataDir: data', 'sources:', `  src: { kind: file, mode: tail, ${settings} }`, 'sinks:', '  out: { kind: file, inputs: [src], path: out.txt, format: lines }', ''].join('\n'),
  );
  return file;
}

/** The lines of a file (without the last, unterminated piece); none when it does not exist. */
export function linesOf(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').slice(0, -1) : [];
}
