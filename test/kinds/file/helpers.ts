import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Describable } from '../../../src/actors/io.js';
import { fileSourceConfig, fileSourceKind } from '../../../src/kinds/file/source.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import type { Json, LogRecord } from '../../../src/streams/record.js';
import type { Topology } from '../../../src/topology/model.js';
import { collectSink } from '../../kit/collect-sink.js';
import { quietLog, topology } from '../../runtime/harness.js';

/** A record as the collecting sink stored it. */
export interface Got {
  value: string;
  file: string;
  truncated: boolean;
}

/** What the collecting sink keeps of a record. */
function got(r: LogRecord): Got {
  return { value: r.value as string, file: (r.headers?.file as string | undefined) ?? '', truncated: r.headers?.truncated === 'true' };
}

/** A fresh temporary directory for log files. */
export function logsDir(): string {
  return mkdtempSync(join(tmpdir(), 'millrace-tail-'));
}

/** Fast timings so tail tests run in milliseconds; `over` replaces any setting. */
export function tailConfig(paths: string[], over: Record<string, unknown> = {}): Record<string, unknown> {
  return fileSourceConfig.parse({ mode: 'tail', paths, headers: ['file'], pollIntervalMs: 10, scanIntervalMs: 30, rotateWaitMs: 100, partialLineFlushMs: 60_000, ...over });
}

/** A topology `src` (file source, tail mode) → `out` (collecting sink). */
export function tailTopology(config: Record<string, unknown>, into: Got[]): Topology {
  const t = topology([
    { id: 'src', role: 'source', kind: fileSourceKind },
    { id: 'out', role: 'sink', kind: collectSink(into, { as: got }), inputs: ['src'] },
  ]);
  (t.nodes[0] as { config: Record<string, unknown> }).config = config;
  return t;
}

/** A started runtime over a topology, with the file source's status at hand. */
export interface Running {
  runtime: Runtime;
  status(): { [key: string]: Json };
  stop(): Promise<void>;
}

export async function start(t: Topology): Promise<Running> {
  const runtime = new Runtime(t, { log: quietLog });
  await runtime.start();
  return {
    runtime,
    status: () => (runtime.nodes.get('src')?.io[0] as Describable | undefined)?.status?.() ?? {},
    async stop() {
      await runtime.stop();
      const result = await runtime.finished;
      if (!result.ok) throw new Error(`run failed: ${String(result.error)}`);
    },
  };
}

export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `count` numbered lines `<tag>-<n>` from `from`, each with a newline. */
export function lines(tag: string, from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${tag}-${String(from + i).padStart(6, '0')} ${'x'.repeat((from + i) % 37)}`);
}

/** The values of the collected records, in arrival order. */
export function valuesOf(got: readonly Got[]): string[] {
  return got.map((g) => g.value);
}
