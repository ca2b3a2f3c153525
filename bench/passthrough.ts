import { map, range } from 'rxjs';
import { generatorValue } from '../src/actors/kinds/generator.js';
import type { LogRecord } from '../src/streams/record.js';
import { benchTopology, modulesDir, runToEnd } from './bench-topology.js';

type Step = (r: LogRecord) => LogRecord;

export interface PassthroughResult {
  records: number;
  millraceRecordsPerSec: number;
  rxjsRecordsPerSec: number;
  ratio: number;
  target: number;
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
async function rxjsReference(records: number, steps: Step[]): Promise<number> {
  const pad = 'x'.repeat(100);
  const [a, b, c, d] = steps as [Step, Step, Step, Step];
  const started = performance.now();
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
  return performance.now() - started;
}

/**
 * 4-stage pass-through, 1M records of 100 B: millrace (generator → 4 map stages → blackhole, every
 * hop a bounded channel with acks) against the same maps as a bare RxJS pipe, best of `rounds`.
 */
export async function runPassthroughBench(records = 1_000_000, rounds = 3): Promise<PassthroughResult> {
  const steps = (await import(`${modulesDir}pass.mjs`)) as Record<string, Step>;
  const ordered = ['step1', 'step2', 'step3', 'step4'].map((k) => steps[k] as Step);
  let best = { millrace: Infinity, rxjs: Infinity };
  for (let i = 0; i < rounds; i++) {
    const rx = await rxjsReference(records, ordered);
    const { ms, elu, runtime } = await runToEnd(await benchTopology(yaml(records)));
    if (process.env.BENCH_DEBUG) console.error({ ms, rx, elu });
    const got = runtime.nodes.get('out')?.metrics.recordsIn;
    if (got !== records) throw new Error(`millrace delivered ${got} of ${records}`);
    best = { millrace: Math.min(best.millrace, ms), rxjs: Math.min(best.rxjs, rx) };
  }
  const millraceRecordsPerSec = Math.round((records / best.millrace) * 1000);
  const rxjsRecordsPerSec = Math.round((records / best.rxjs) * 1000);
  return { records, millraceRecordsPerSec, rxjsRecordsPerSec, ratio: +(millraceRecordsPerSec / rxjsRecordsPerSec).toFixed(3), target: 0.7 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runPassthroughBench());
}
