import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Runtime } from '../src/runtime/runtime.js';
import { pino } from 'pino';
import { benchTopology } from './bench-topology.js';

export interface StalledSinkResult {
  seconds: number;
  peakRssMB: number;
  baselineRssMB: number;
  maxDepthRecords: number;
  capacityRecords: number;
  generated: number;
  targetRssMB: number;
}

const yaml = `
sources:
  gen: { kind: generator, payloadBytes: 100 }
stages:
  s1: { kind: map, inputs: [gen], module: ${fileURLToPath(new URL('./modules/pass.mjs', import.meta.url))}, export: step1 }
sinks:
  stalled: { kind: blackhole, inputs: [s1], delayMs: 86400000 }
`;

/** Runs in a child process (so RSS is this topology's alone): an endless fast generator into a sink that never finishes a write. */
async function child(seconds: number): Promise<void> {
  const topology = await benchTopology(yaml);
  const runtime = new Runtime(topology, { log: pino({ level: 'silent' }) });
  const baselineRss = process.memoryUsage().rss;
  await runtime.start();
  let peakRss = 0;
  let maxDepth = 0;
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    for (const node of runtime.nodes.values()) maxDepth = Math.max(maxDepth, node.input?.stats.maxDepthRecords ?? 0);
  }
  const capacity = Math.max(...[...runtime.nodes.values()].map((n) => n.spec.channel.maxRecords));
  const result: StalledSinkResult = {
    seconds,
    peakRssMB: Math.round(peakRss / 2 ** 20),
    baselineRssMB: Math.round(baselineRss / 2 ** 20),
    maxDepthRecords: maxDepth,
    capacityRecords: capacity,
    generated: runtime.nodes.get('gen')?.metrics.recordsOut ?? 0,
    targetRssMB: 256,
  };
  process.send?.(result);
  process.exit(0); // the sink is stalled on purpose: there is nothing to drain into
}

/** Fast generator into a stalled sink for `seconds`: peak RSS and the deepest any channel got. */
export function runStalledSinkBench(seconds = 30): Promise<StalledSinkResult> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--child', String(seconds)], { execArgv: ['--import', 'tsx'] });
    proc.once('message', (m) => resolve(m as StalledSinkResult));
    proc.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`stalled-sink bench exited with ${code}`))));
  });
}

if (process.argv.includes('--child')) {
  await child(Number(process.argv[process.argv.indexOf('--child') + 1]));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runStalledSinkBench(Number(process.argv[2] ?? 30)));
}
