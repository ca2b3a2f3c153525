import { Runtime } from '../runtime/runtime.js';
import { createLogger } from '../runtime/logger.js';
import type { Topology } from '../topology/model.js';
import { ExitCode } from './exit-codes.js';
import { summaryTable } from './summary.js';

/**
 * Runs a topology until its sources end or a signal arrives. The first SIGINT/SIGTERM drains
 * gracefully (sources stop, channels empty, sinks close); a second one exits at once.
 */
export async function runTopology(topology: Topology): Promise<number> {
  const log = createLogger();
  const runtime = new Runtime(topology, { log });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting without draining');
      process.exit(ExitCode.forced);
    }
    log.info({ signal }, 'draining (send the signal again to exit now)');
    void runtime.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await runtime.start();
    const result = await runtime.finished;
    process.stderr.write(summaryTable(runtime));
    return result.ok ? ExitCode.ok : ExitCode.runtimeFailure;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
