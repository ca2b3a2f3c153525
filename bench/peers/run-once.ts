/**
 * One measured run of one peer: start it, poll the destination until every record has arrived
 * (stopping the peer then if it does not end by itself), check the count is exact, and return
 * wall time, steady-state time, CPU and peak RSS.
 */
import { readFileSync } from 'node:fs';
import type { Destination } from './destination.js';
import { processCpu, type Measured } from './measure.js';

const POLL_MS = 100;

export interface RunOnce {
  /** Start of the process to the last record counted at the destination. */
  wallSeconds: number;
  /** First records seen at the destination to the last: the rate without start-up. */
  steadySeconds: number;
  /** Records already delivered when the first were seen (steady window covers the rest). */
  recordsBeforeSteady: number;
  /** CPU of the peer's tree over the whole run (start-up included). */
  cpuSeconds: number;
  /** CPU of the peer's tree over the steady window. */
  steadyCpuSeconds: number;
  /** CPU of the broker over the whole run, when its pid is known. */
  brokerCpuSeconds?: number;
  peakRssMB: number;
}

export interface RunOnceOptions {
  name: string;
  start(): Measured;
  destination: Destination;
  expected: number;
  logFile: string;
  brokerPid?: number;
  timeoutMs: number;
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-25).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runOnce(o: RunOnceOptions): Promise<RunOnce> {
  const broker0 = o.brokerPid === undefined ? undefined : processCpu(o.brokerPid);
  const t0 = performance.now();
  const proc = o.start();
  const fail = async (why: string): Promise<never> => {
    await proc.stop().catch(() => undefined);
    throw new Error(`${o.name}: ${why}\n--- last lines of ${o.logFile} ---\n${tail(o.logFile)}`);
  };
  let first: { t: number; n: number; cpu: number } | undefined;
  let n: number;
  let tDone: number;
  let cpuDone: number | undefined;
  for (;;) {
    const endedBefore = proc.hasEnded();
    const cpu = proc.cpuNow();
    n = await o.destination.count().catch(() => 0);
    const t = performance.now();
    if (first === undefined && n > 0) first = { t, n, cpu: cpu ?? 0 };
    if (n >= o.expected) {
      tDone = t;
      cpuDone = cpu;
      break;
    }
    // An ended peer has flushed everything it will; one more count after its end decides.
    if (endedBefore) return fail(`ended (exit ${String((await proc.ended).exitCode)}) with ${n} of ${o.expected} records at ${o.destination.describe}`);
    if (t - t0 > o.timeoutMs) return fail(`timed out after ${o.timeoutMs / 1000}s with ${n} of ${o.expected} records at ${o.destination.describe}`);
    await sleep(POLL_MS);
  }
  const brokerCpu = o.brokerPid === undefined ? undefined : processCpu(o.brokerPid);
  const usage = await proc.stop();
  // Anything beyond the expected count is a duplicate: give late writes a moment to show.
  await sleep(500);
  const final = await o.destination.count();
  if (final !== o.expected) return fail(`${final} records at ${o.destination.describe}, expected exactly ${o.expected}`);
  const f = first ?? { t: tDone, n, cpu: 0 };
  return {
    wallSeconds: (tDone - t0) / 1000,
    steadySeconds: (tDone - f.t) / 1000,
    recordsBeforeSteady: f.n,
    cpuSeconds: usage.cpuSeconds,
    // A peer that ended by itself has no live sample at the end: its total is the end value.
    steadyCpuSeconds: (cpuDone ?? usage.cpuSeconds) - f.cpu,
    brokerCpuSeconds: broker0 === undefined || brokerCpu === undefined ? undefined : brokerCpu - broker0,
    peakRssMB: usage.peakRssMB,
  };
}
