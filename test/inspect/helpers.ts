import { afterAll, beforeAll } from 'vitest';
import { blackholeConfig, blackholeKind } from '../../src/kinds/blackhole.js';
import { generatorConfig, generatorKind } from '../../src/kinds/generator.js';
import { mapKind } from '../../src/kinds/map.js';
import { readEvents } from '../../src/inspect/client.js';
import { attachInspector, type AttachedInspector, type InspectOptions } from '../../src/inspect/attach.js';
import { TransitionFeed } from '../../src/inspect/transitions.js';
import { Runtime } from '../../src/runtime/runtime.js';
import type { Topology } from '../../src/topology/model.js';
import { quietLog, topology, type NodeDraft } from '../runtime/harness.js';
import { eventually } from '../kit/eventually.js';

export const fixtures = new URL('./fixtures/', import.meta.url).pathname;

/**
 * An endless pipeline of real kinds: generator (rate-limited) → map (enrich.mjs) → blackhole
 * (slow), plus the drafts given.
 */
export function endlessTopology(extra: NodeDraft[] = [], rate = 2000): Topology {
  const t = topology([
    { id: 'gen', role: 'source', kind: generatorKind },
    { id: 'enrich', role: 'stage', kind: mapKind, inputs: ['gen'] },
    { id: 'sink', role: 'sink', kind: blackholeKind, inputs: ['enrich'] },
    ...extra,
  ]);
  const configs: Record<string, Record<string, unknown>> = {
    gen: generatorConfig.parse({ rate, batchSize: 50, keys: 3 }),
    enrich: { module: `${fixtures}enrich.mjs`, export: 'default' },
    sink: blackholeConfig.parse({ delayMs: 5 }),
  };
  for (const node of t.nodes) node.config = configs[node.id] ?? node.config;
  return t;
}

/** A runtime with the inspector attached (not started yet), and how to stop both. */
export interface Inspected {
  runtime: Runtime;
  inspector: AttachedInspector;
  url: string;
  stop(): Promise<void>;
}

/** Builds a runtime for `t` with the inspector attached on 127.0.0.1 (a free port); sources wait 500 ms at most to drain. */
export async function inspected(t: Topology, options: Omit<InspectOptions, 'address'> & { serve?: boolean } = {}): Promise<Inspected> {
  const feed = new TransitionFeed();
  const runtime = new Runtime(t, { log: quietLog, inspect: feed.inspect, drainTimeoutMs: 500 });
  const { serve = true, ...rest } = options;
  const inspector = await attachInspector(runtime, feed, { ...rest, ...(serve ? { address: { host: '127.0.0.1', port: 0 } } : {}) });
  return {
    runtime,
    inspector,
    url: inspector.url ?? '',
    async stop() {
      await runtime.stop();
      await inspector.close();
    },
  };
}

/**
 * The endless topology with the inspector, started before a suite's tests once records reach
 * the sink, stopped after them. Read its fields inside a test.
 */
export function useRunningInspected(): { readonly url: string; readonly runtime: Runtime } {
  let run: Inspected | undefined;
  beforeAll(async () => {
    const started = await inspected(endlessTopology());
    run = started;
    await started.runtime.start();
    await eventually(() => (started.runtime.nodes.get('sink')?.metrics.recordsIn ?? 0) > 0, { what: 'records at the sink', timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await run?.stop();
  });
  const current = (): Inspected => {
    if (run === undefined) throw new Error('the inspected run starts in beforeAll: read it inside a test');
    return run;
  };
  return {
    get url() {
      return current().url;
    },
    get runtime() {
      return current().runtime;
    },
  };
}

/** Collects the events of an SSE route until `done` says so, the server ends it, or `timeoutMs` passes. */
export async function collectEvents(url: string, path: string, done: (events: { event: string; data: unknown }[]) => boolean, timeoutMs = 15_000, token?: string): Promise<{ event: string; data: unknown }[]> {
  const events: { event: string; data: unknown }[] = [];
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    await readEvents(
      { url, token },
      path,
      (event, data) => {
        events.push({ event, data: JSON.parse(data) as unknown });
        return done(events) ? 'stop' : undefined;
      },
      abort.signal,
    );
  } finally {
    clearTimeout(timer);
  }
  return events;
}
