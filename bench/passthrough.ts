import { map, range } from 'rxjs';
import { generatorValue } from '../src/kinds/generator.js';
import type { LogRecord } from '../src/streams/record.js';
import { benchTopology, modulesDir, runToEnd } from './bench-topology.js';

type Step = (r: LogRecord) => LogRecord;

export interface PassthroughResult {
  records: number;
  millraceRecordsPerSec: number;
  rxjsRecordsPerSec: number;
  /** Wall-clock throughput ratio, millrace / RxJS: the target applies to this one. */
  ratio: number;
  /** The same ratio on CPU time, which a loaded machine disturbs less than wall time. */
  cpuRatio: number;
  target: number;
}

/** Runs `fn`, returning its wall and CPU milliseconds. */
async function timed(fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

const yaml = (records: number): string => `
sources:
  gen: { kind: generator, count: ${records}, payloadBytes: 100, keys: 16 }
stages:
  s1: { kind: map, inputs: [gen], module: ${modulesDir}pass.mjs, export: step1 }
  s2: { kind: map, inputs: [s1], module: ${modulesDir}pass.mjs, export: step2 }
  s3: { kind: map, inputs: [s2], module: ${modulesDir}pass.mjs, export: step3 }
  s4: { kind: map, inputs: [s3], module: ${modulesDir}pass.mjs, export: step4 }
sinks:
  out: { kind: blackhole, inputs: [s4] }
`;

/** The same records and the same four maps as a bare RxJS pipe: the reference. */
async function rxjsReference(records: number, steps: Step[]): Promise<void> {
  const pad = 'x'.repeat(100);
  const [a, b, c, d] = steps as [Step, Step, Step, Step];
  let n = 0;
  await new Promise<void>((resolve) =>
    range(0, records)
      .pipe(
        map((seq): LogRecord => ({ value: generatorValue(seq, 100, pad), key: `k${seq % 16}`, ts: Date.now() })),
        map(a),
        map(b),
        map(c),
        map(d),
      )
      .subscribe({ next: () => void n++, complete: resolve }),
  );
  if (n !== records) throw new Error(`reference saw ${n} records`);
}

/**
 * 4-stage pass-through, 1M records of 100 B: millrace (generator → 4 map stages → blackhole, every
 * hop a bounded channel with acks) against the same maps as a bare RxJS pipe, in the same process;
 * the median over `rounds` back-to-back pairs.
 */
export async function runPassthroughBench(records = 1_000_000, rounds = 5): Promise<PassthroughResult> {
  const steps = (await import(`${modulesDir}pass.mjs`)) as Record<string, Step>;
  const ordered = ['step1', 'step2', 'step3', 'step4'].map((k) => steps[k] as Step);
  const runs: { millrace: { wall: number; cpu: number }; rxjs: { wall: number; cpu: number } }[] = [];
  // Round 0 warms up the JIT for both sides and is not counted.
  for (let i = 0; i <= rounds; i++) {
    const rxjs = await timed(() => rxjsReference(records, ordered));
    const topology = await benchTopology(yaml(records));
    // Start-up (kind creation, module loading) is outside the timed window, as the reference's is.
    const { ms, cpuMs, runtime } = await runToEnd(topology);
    const delivered = runtime.nodes.get('out')?.metrics.recordsIn ?? 0;
    if (delivered !== records) throw new Error(`millrace delivered ${delivered} of ${records}`);
    if (i > 0) runs.push({ millrace: { wall: ms, cpu: cpuMs }, rxjs });
  }
  // Rounds run back to back, so each pair saw similar machine load: the median pair ratio is
  // steadier than a ratio of independent bests.
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const perSec = (ms: number): number => Math.round((records / ms) * 1000);
  return {
    records,
    millraceRecordsPerSec: perSec(median(runs.map((r) => r.millrace.wall))),
    rxjsRecordsPerSec: perSec(median(runs.map((r) => r.rxjs.wall))),
    ratio: +median(runs.map((r) => r.rxjs.wall / r.millrace.wall)).toFixed(3),
    cpuRatio: +median(runs.map((r) => r.rxjs.cpu / r.millrace.cpu)).toFixed(3),
    target: 0.7,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runPassthroughBench());
}
