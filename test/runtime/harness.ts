import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { z } from 'zod';
import { EndOfInput } from '../../src/core/errors.js';
import { defineSink, defineSource, defineStage, type KindDefinition, type Role } from '../../src/actors/kind.js';
import { supervisionSchema } from '../../src/actors/supervision/schema.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { channelSchema } from '../../src/streams/overflow.js';
import type { LogRecord } from '../../src/streams/record.js';
import { topologicalOrder } from '../../src/topology/graph.js';
import type { NodeSpec, Topology } from '../../src/topology/model.js';
import { retrySchema } from '../../src/topology/node-schema.js';

/** What the test kinds observed during one run. */
export interface Observed {
  /** Values each sink stored, in arrival order, per sink id. */
  stored: Map<string, string[]>;
  committed: Map<string, number>;
  writes: Map<string, number>;
}

const empty = z.strictObject({});

/** Emits `s<i>` for i < count, keyed `k<i % keys>`, `batch` records at a time; resumes from its commit. */
export function seqSource(count: number, batch: number, keys: number, seen: Observed): KindDefinition {
  return defineSource({
    name: 'seq',
    description: 'test source',
    config: empty,
    create(_c, ctx) {
      let next = seen.committed.get(ctx.id) ?? 0;
      return {
        async connect() {},
        async read() {
          if (next >= count) throw new EndOfInput();
          const n = Math.min(batch, count - next);
          const records: LogRecord[] = Array.from({ length: n }, (_, i) => ({ value: `s${next + i}`, key: `k${(next + i) % keys}`, ts: 0 }));
          next += n;
          return { records, position: next, label: `seq@${next}` };
        },
        commit(p) {
          seen.committed.set(ctx.id, p as number);
        },
        async close() {},
      };
    },
  });
}

/** Passes records through; throws on the calls listed in `crashOn` (counted across replicas and restarts). */
export function passStage(crashOn: ReadonlySet<number>, poison: (v: string) => boolean = () => false): KindDefinition {
  let calls = 0;
  return defineStage({
    name: 'pass',
    description: 'test stage',
    config: empty,
    create() {
      return {
        async process(batch) {
          const call = calls++;
          await new Promise((r) => setImmediate(r));
          if (crashOn.has(call)) throw new Error(`planned crash on call ${call}`);
          const records = batch.records.filter((r) => !poison(r.value as string));
          const dead = batch.records.filter((r) => poison(r.value as string)).map((record) => ({ record, reason: 'poison' }));
          return { records, dead };
        },
      };
    },
  });
}

/** Stores values per sink id; throws on the write calls listed in `crashOn`. */
export function storeSink(seen: Observed, crashOn: ReadonlySet<number> = new Set(), delayMs = 0): KindDefinition {
  return defineSink({
    name: 'store',
    description: 'test sink',
    config: empty,
    create(_c, ctx) {
      return {
        async connect() {},
        async write(batch) {
          const call = seen.writes.get(ctx.id) ?? 0;
          seen.writes.set(ctx.id, call + 1);
          if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
          else await new Promise((r) => setImmediate(r));
          if (crashOn.has(call)) throw new Error(`planned sink crash on write ${call}`);
          const list = seen.stored.get(ctx.id) ?? [];
          for (const r of batch.records) list.push(r.value as string);
          seen.stored.set(ctx.id, list);
        },
        async close() {},
      };
    },
  });
}

export function observed(): Observed {
  return { stored: new Map(), committed: new Map(), writes: new Map() };
}

export interface NodeDraft {
  id: string;
  role: Role;
  kind: KindDefinition;
  inputs?: string[];
  replicas?: number;
  maxRecords?: number;
  maxAttempts?: number;
  strategy?: 'one_for_one' | 'one_for_all' | 'rest_for_one';
}

/** A topology built in code, with fast backoff so crash tests run in milliseconds. */
export function topology(drafts: NodeDraft[]): Topology {
  const dataDir = mkdtempSync(join(tmpdir(), 'millrace-rt-'));
  const nodes: NodeSpec[] = drafts.map((d) => ({
    id: d.id,
    role: d.role,
    kind: d.kind,
    config: {},
    inputs: d.inputs ?? [],
    replicas: d.replicas ?? 1,
    supervision: supervisionSchema.parse({
      restart: 'transient',
      strategy: d.strategy ?? 'one_for_one',
      intensity: { maxRestarts: 1000, periodMs: 60_000 },
      backoff: { minMs: 1, maxMs: 5, jitter: 0 },
    }),
    channel: channelSchema.parse({ maxRecords: d.maxRecords ?? 64 }),
    retry: retrySchema.parse({ maxAttempts: d.maxAttempts ?? 3 }),
    at: { line: 1, column: 1 },
  }));
  return { file: join(dataDir, 'topology.yaml'), baseDir: dataDir, name: 'test', dataDir, nodes, order: topologicalOrder(nodes) };
}

export const quietLog = pino({ level: 'silent' });

export async function run(t: Topology): Promise<{ runtime: Runtime; deadLettered: Array<{ reason: string; value: string; actor: string }> }> {
  const runtime = new Runtime(t, { log: quietLog });
  await runtime.start();
  const result = await runtime.finished;
  if (!result.ok) throw new Error(`run failed: ${String(result.error)}`);
  const file = join(t.dataDir, 'deadletter.jsonl');
  const deadLettered = existsSync(file)
    ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { reason: string; value: string; actor: string })
    : [];
  return { runtime, deadLettered };
}

/** Emits each input record as its own piece, one at a time; throws midway on the calls in `crashOn`. */
export function streamingStage(crashOn: ReadonlySet<number>): KindDefinition {
  let calls = 0;
  return defineStage({
    name: 'stream',
    description: 'test streaming stage',
    config: empty,
    create() {
      return {
        process(batch) {
          const call = calls++;
          return (async function* () {
            for (const [i, record] of batch.records.entries()) {
              if (crashOn.has(call) && i === Math.floor(batch.records.length / 2)) throw new Error(`crash mid-stream on call ${call}`);
              yield { records: [record] };
            }
          })();
        },
      };
    },
  });
}
