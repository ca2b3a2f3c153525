import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Runtime, type RuntimeOptions } from '../src/runtime/runtime.js';
import { loadTopology } from '../src/topology/load.js';
import { formatTopologyErrors } from '../src/topology/errors.js';
import type { Topology } from '../src/topology/model.js';

export const modulesDir = fileURLToPath(new URL('./modules/', import.meta.url));

/** Writes a YAML topology to a fresh temp dir and loads it, failing loudly on errors. */
export async function benchTopology(yaml: string): Promise<Topology> {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-bench-'));
  const file = join(dir, 'topology.yaml');
  writeFileSync(file, yaml);
  const result = await loadTopology(file);
  if (!result.ok) throw new Error(formatTopologyErrors(result.errors));
  return result.topology;
}

/**
 * Runs a topology to its end. `ms` (and `cpuMs`) is the time from every actor being connected (kinds created,
 * modules loaded) until the last channel drained and the sources committed; `startMs` is the
 * start-up before it.
 */
export async function runToEnd(topology: Topology, options: RuntimeOptions = {}): Promise<{ ms: number; cpuMs: number; startMs: number; elu: number; runtime: Runtime }> {
  const runtime = new Runtime(topology, { log: pino({ level: 'silent' }), ...options });
  const t0 = performance.now();
  await runtime.start();
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const result = await runtime.finished;
  if (!result.ok) throw new Error(`bench topology failed: ${String(result.error)}`);
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t1, cpuMs: (cpu.user + cpu.system) / 1000, startMs: t1 - t0, elu, runtime };
}
