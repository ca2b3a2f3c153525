import { errorMessage } from '../core/errors.js';
import { ReplaySource } from '../inspect/replay.js';
import type { BindAddress } from '../inspect/security.js';
import { startInspectServer } from '../inspect/server.js';
import { ExitCode } from './exit-codes.js';

/**
 * `millrace inspect --replay <file>`: serves the web inspector over a recording made with
 * `--inspect-record`, with a time slider, until SIGINT/SIGTERM.
 */
export async function runReplay(file: string, address: BindAddress, token: string | undefined): Promise<number> {
  let source: ReplaySource;
  try {
    source = await ReplaySource.load(file);
  } catch (error) {
    process.stderr.write(`millrace inspect: cannot read ${file}: ${errorMessage(error)}\n`);
    return ExitCode.invalid;
  }
  const server = await startInspectServer(source, { ...address, token });
  const rec = source.recording();
  process.stderr.write(`replaying ${file} (${rec.transitions.length} transitions, ${rec.metrics.length} metric frames, run ${rec.runs} of ${rec.runs})\ninspector: ${server.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return ExitCode.ok;
}
