import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { z } from 'zod';
import type { Describable, SourceIO } from '../../../src/actors/io.js';
import { defineStage, type KindDefinition } from '../../../src/actors/kind.js';
import { SharedResources } from '../../../src/core/shared-resources.js';
import { hdfsConfig } from '../../../src/kinds/hdfs/config.js';
import { hdfsKind } from '../../../src/kinds/hdfs/source.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import type { Json, LogRecord } from '../../../src/streams/record.js';
import type { Topology } from '../../../src/topology/model.js';
import { actorContext } from '../../kit/actor-context.js';
import { topology } from '../../runtime/harness.js';

/** One record as a sink stored it. */
export interface Stored {
  file: string;
  headers: Record<string, string>;
  bytes: Buffer;
}

const empty = z.strictObject({});

/** What the collecting sink keeps of a record (`collectSink(into, { as: asStored })`). */
export function asStored(r: LogRecord): Stored {
  const value = r.value as Uint8Array;
  return { file: (r.key as string | undefined) ?? '', headers: { ...(r.headers as Record<string, string> | undefined) }, bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength) };
}

/** A stage that throws the first time it sees a file matching `crashOn`, then passes records through. */
export function crashOnceStage(
  crashOn: (file: string) => boolean,
  crashed: string[],
): KindDefinition {
  return defineStage({
    name: 'crash-once',
    description: 'test stage',
    config: empty,
    create() {
      return {
        process(batch) {
          for (const r of batch.records) {
            const file = (r.key as string | undefined) ?? '';
            if (crashOn(file) && !crashed.includes(file)) {
              crashed.push(file);
              throw new Error(`planned crash on ${file}`);
            }
          }
          return { records: batch.records };
        },
      };
    },
  });
}

/** hdfs → [stage] → collect, with the given hdfs config (defaults applied). */
export function pipeline(
  config: z.input<typeof hdfsConfig>,
  sink: KindDefinition,
  stage?: KindDefinition,
): Topology {
  const t = topology([
    { id: 'hdfs', role: 'source', kind: hdfsKind },
    ...(stage ? [{ id: 'stage', role: 'stage' as const, kind: stage, inputs: ['hdfs'] }] : []),
    { id: 'sink', role: 'sink', kind: sink, inputs: [stage ? 'stage' : 'hdfs'] },
  ]);
  const parsed = hdfsConfig.parse(config);
  return { ...t, nodes: t.nodes.map((n) => (n.id === 'hdfs' ? { ...n, config: parsed, replicas: hdfsKind.replicasFor?.(parsed) ?? 1 } : n)) };
}

/** A logger keeping warn+ lines as parsed objects. */
export function capturingLog(): { log: Logger; lines: { [key: string]: Json }[] } {
  const lines: { [key: string]: Json }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as { [key: string]: Json });
      done();
    },
  });
  return { log: pino({ level: 'warn' }, stream), lines };
}

/** Starts a runtime without waiting for it to finish. */
export async function start(t: Topology, log: Logger): Promise<Runtime> {
  const runtime = new Runtime(t, { log, drainTimeoutMs: 5000 });
  await runtime.start();
  return runtime;
}

/** The `status()` of replica `i` of the hdfs node. */
export function status(runtime: Runtime, i = 0): { [key: string]: Json } {
  const io = runtime.nodes.get('hdfs')?.io[i] as Describable | undefined;
  return io?.status?.() ?? {};
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `millrace-hdfs-${prefix}-`));
}

/** Writes a file (and its directories); `ageMs` back-dates its mtime. */
export function put(dir: string, rel: string, content: string | Buffer, ageMs = 60_000): void {
  const file = join(dir, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  const t = (Date.now() - ageMs) / 1000;
  utimesSync(file, t, t);
}

/** Counts of each value, for "exactly once" checks. */
export function counts(values: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/** What the pollers made by {@link poller} share, as one runtime's actors would: a node's coordinator. */
const pollers = new SharedResources();

/** A poller made directly, outside a runtime, as replica `replica` of a node whose state is in `stateDir`. */
export function poller(
  config: z.input<typeof hdfsConfig>,
  stateDir: string,
  replica: number,
  log: Logger = pino({ level: 'silent' }),
): SourceIO {
  const parsed = hdfsConfig.parse(config);
  const ctx = actorContext({ id: 'hdfs', replica, replicas: hdfsKind.replicasFor?.(parsed) ?? 1, log, dir: stateDir, consumers: ['sink'], shared: pollers.acquire });
  return hdfsKind.create(parsed, ctx) as SourceIO;
}

/**
 * A 127.0.0.1 port nothing listens on (bound, then closed). Not port 1: fetch refuses the
 * ports of the Fetch standard's bad-port list before connecting.
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
