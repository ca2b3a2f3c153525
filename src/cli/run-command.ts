import { clusterSource } from '../inspect/cluster-view.js';
import { registerMember, type Registration } from '../coord/membership.js';
import type { AttachedInspector, InspectOptions } from '../inspect/attach.js';
import { TransitionFeed } from '../inspect/transitions.js';
import { SharedResources } from '../core/shared-resources.js';
import { LogLocked } from '../log/index.js';
import { DrainDeadlineExceeded } from '../runtime/drain.js';
import { holdEmbeddedLog } from '../runtime/embedded-log-hold.js';
import { Runtime } from '../runtime/runtime.js';
import { isInvalidConfig } from '../core/errors.js';
import { failureSummary } from '../runtime/failure.js';
import { createLogger } from '../runtime/logger.js';
import type { Topology } from '../topology/model.js';
import { ExitCode } from './exit-codes.js';
import { summaryTable } from './summary.js';

/**
 * Runs a topology until its sources end or a signal arrives. The first SIGINT/SIGTERM drains
 * gracefully (sources stop, channels empty, sinks close); a second one exits at once. With
 * `inspect`, the inspector serves and/or records the run (its URL is printed on stderr).
 */
export async function runTopology(topology: Topology, inspect?: InspectOptions): Promise<number> {
  const log = createLogger();
  const shared = new SharedResources();
  let releaseLog: () => Promise<void>;
  try {
    releaseLog = await holdEmbeddedLog(topology, shared.acquire);
  } catch (error) {
    // Another run owns the log directory: a setup problem, not one that restarts can fix.
    if (!(error instanceof LogLocked)) throw error;
    process.stderr.write(`millrace: ${error.message}: another millrace run is using it; stop it or set another transport dir\n`);
    return ExitCode.invalid;
  }
  const feed = inspect === undefined ? undefined : new TransitionFeed();
  const runtime = new Runtime(topology, { log, inspect: feed?.inspect, shared });
  let inspector: AttachedInspector | undefined;
  let membership: Registration | undefined;
  let signals = 0;
  const deadlineMs = topology.drain?.deadlineMs;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting without draining');
      process.exit(ExitCode.forced);
    }
    log.info({ signal, deadlineMs }, 'draining (send the signal again to exit now)');
    if (deadlineMs !== undefined) setTimeout(() => runtime.abandonDrain(deadlineMs), deadlineMs).unref();
    void runtime.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (feed !== undefined && inspect !== undefined) {
      // The inspector (its server, prom-client) loads only for a run that asks for it.
      const { attachInspector } = await import('../inspect/attach.js');
      inspector = await attachInspector(runtime, feed, inspect);
      if (inspector.url !== undefined) process.stderr.write(`inspector: ${inspector.url}\n`);
    }
    const zookeeper = topology.coordination?.zookeeper;
    if (zookeeper !== undefined) {
      membership = registerMember(zookeeper, topology.name, inspector?.url, log);
      inspector?.showCluster(clusterSource(membership, zookeeper, topology.name, inspect?.token));
    }
    const started = Date.now();
    await runtime.start();
    const result = await runtime.finished;
    process.stderr.write(summaryTable(runtime, Date.now() - started));
    if (result.ok) return ExitCode.ok;
    if (result.error instanceof DrainDeadlineExceeded) {
      process.stderr.write(`millrace: ${result.error.message}\n`);
      return ExitCode.drainDeadline;
    }
    process.stderr.write(`millrace: topology failed: ${failureSummary(result.error)}\n`);
    return isInvalidConfig(result.error) ? ExitCode.invalid : ExitCode.runtimeFailure;
  } finally {
    await membership?.close();
    await inspector?.close();
    await releaseLog();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
