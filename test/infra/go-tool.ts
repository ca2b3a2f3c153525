import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A Go tool a test fixture runs, and where it may come from. */
export interface GoTool {
  /** Environment variable with a path to the binary, e.g. MILLRACE_TOXIPROXY. */
  env: string;
  /** The command's name on PATH. */
  command: string;
  /** `module/path/cmd@version` for `go install`. */
  module: string;
  /** Directory to build into (GOBIN), ending in `/`. */
  buildDir: string;
  /** The name `go install` gives the binary: its package directory's name. */
  built: string;
}

/**
 * The tool's binary: the path in `env`, the command on PATH, or one built with `go install`
 * from the Go module proxy into `buildDir` on first use. Undefined when none and Go cannot build it.
 */
export function goToolBinary(tool: GoTool): string | undefined {
  const configured = process.env[tool.env];
  if (configured !== undefined && configured !== '') return configured;
  const found = spawnSync('sh', ['-c', `command -v ${tool.command}`], { encoding: 'utf8' });
  if (found.status === 0) return found.stdout.trim();
  const built = `${tool.buildDir}${tool.built}`;
  if (existsSync(built)) return built;
  const build = spawnSync('go', ['install', tool.module], { env: { ...process.env, GOBIN: tool.buildDir }, encoding: 'utf8', timeout: 900_000 });
  if (build.status !== 0) {
    console.warn(`building ${tool.command} failed: ${build.error?.message ?? build.stderr}`);
    return undefined;
  }
  return built;
}
